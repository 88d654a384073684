//! Drawing: pure functions of the model and the derived figures. One file per pane.
