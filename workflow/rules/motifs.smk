# placeholder: rules of the motifs stage
