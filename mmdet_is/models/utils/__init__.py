from .importance_ingredients import (INGREDIENT_KEYS, MESSAGE_KEY,
                                     aligned_overlaps, flatten_levels,
                                     pop_ingredients, publish_ingredients,
                                     sigmoid_foreground_prob,
                                     sigmoid_target_prob,
                                     softmax_foreground_prob,
                                     softmax_target_prob)

__all__ = ['INGREDIENT_KEYS', 'MESSAGE_KEY', 'aligned_overlaps',
           'flatten_levels', 'pop_ingredients', 'publish_ingredients',
           'sigmoid_foreground_prob', 'sigmoid_target_prob',
           'softmax_foreground_prob', 'softmax_target_prob']
