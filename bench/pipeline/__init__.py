"""Pipeline benchmark: drop 200 bills and 10 interval files, embedded vs emulated (see __main__)."""
