"""WTForms forms, one module per area. Field checks live in validate_<field>; forms never write."""
