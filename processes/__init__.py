"""The procedures as data: BPMN, form schemas and the award catalogue (shipped with the package)."""
