from .importance_ingredients import (IMPORTANCE_WEIGHT_KEY, INGREDIENT_KEYS,
                                     IngredientsTap, aligned_overlaps,
                                     flatten_levels, sigmoid_foreground_prob,
                                     sigmoid_target_prob,
                                     softmax_foreground_prob,
                                     softmax_target_prob)

__all__ = ['IMPORTANCE_WEIGHT_KEY', 'INGREDIENT_KEYS', 'IngredientsTap',
           'aligned_overlaps', 'flatten_levels', 'sigmoid_foreground_prob',
           'sigmoid_target_prob', 'softmax_foreground_prob',
           'softmax_target_prob']
