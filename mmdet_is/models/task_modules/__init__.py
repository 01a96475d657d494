from .dontcare_point_assigner import DontCarePointAssigner

__all__ = ['DontCarePointAssigner']
