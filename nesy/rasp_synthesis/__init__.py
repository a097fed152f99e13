"""RASP synthesis on the neural side: compile a found program, prove the weights equal it (and
the program the task's reference) on every input up to max_len, benchmark a suite, and distil a
sequence model into a RASP program."""
