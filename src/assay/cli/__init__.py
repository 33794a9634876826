"""The command line: thin commands over `assay.workspace.Workspace`."""
