"""The pages social workers use: submit a story (typed or from a Word file), track it with the
private code, revise it when asked, withdraw it. Their forms and the Word import live here too."""
