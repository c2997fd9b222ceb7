"""trdcore's own behaviour, written as plugins through the same hooks a third party uses.

Each module here is registered as a built-in plugin by
:func:`trdcore.plugins.get_plugin_manager`; none has a special path.
"""
