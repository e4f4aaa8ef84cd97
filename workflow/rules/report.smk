# placeholder: rules of the report stage
