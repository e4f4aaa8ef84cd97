# placeholder: rules of the train stage
