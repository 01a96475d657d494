from .loops import ImportanceIterBasedTrainLoop

__all__ = ['ImportanceIterBasedTrainLoop']
