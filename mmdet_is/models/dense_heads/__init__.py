from .fcos_softmax_head import FCOSSoftmaxHead

__all__ = ['FCOSSoftmaxHead']
