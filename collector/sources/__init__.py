"""Sources: one file per platform, each turning its platform's shape into `NewPost` rows."""
