from .stratified_metric import StratifiedCocoMetric, evaluate_stratified

__all__ = ['StratifiedCocoMetric', 'evaluate_stratified']
