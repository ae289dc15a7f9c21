"""Interval parsing benchmark: MiniMeter vs greenbutton-objects vs the lxml floor (see __main__)."""
