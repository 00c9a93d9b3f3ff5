"""The optional TensorFlow part: the same network trained by TensorFlow step for step
(``bridge``, imports TensorFlow only when used) and its source as text (``code``)."""
