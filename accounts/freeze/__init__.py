"""Emergency freeze (four ways in), the unfreeze appeal and its four-eyes review."""
