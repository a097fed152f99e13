"""Neural induction: Neural Turing Machines and Pointer Networks trained on algorithmic tasks, every
output checked symbolically, and the sequence tasks distilled into RASP programs (docs/induction.md)."""
