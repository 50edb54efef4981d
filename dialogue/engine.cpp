// placeholder: being written (core issue)
