# placeholder: rules of the match stage
