"""Pieces of the misinformation detector: word lists, rumour cues, claim slots, comparison."""
