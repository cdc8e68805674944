"""Placeholder replaced below."""
from jupyter_server.extension.application import ExtensionApp


class StudioApp(ExtensionApp):
    name = "jupyter_mlstudio"
