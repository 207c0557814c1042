"""The domain of the emergency reduction list: rules, lists, accounting, I/O, workflows and blueprints."""
