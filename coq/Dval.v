(** The real number a dyadic stands for: a mantissa [m] and a power-of-two exponent [e] denote
    [m * 2^e]. Every statement that links the checker's integers to the model's reals goes through
    [dval]. *)
From Coq Require Import ZArith Reals Lra.

Definition dval (m e : Z) : R := IZR m * powerRZ 2 e.

Lemma powerRZ_2_pos (e : Z) : (0 < powerRZ 2 e)%R.
Proof. apply powerRZ_lt; lra. Qed.

Lemma powerRZ_2_add (a b : Z) : powerRZ 2 (a + b) = (powerRZ 2 a * powerRZ 2 b)%R.
Proof. apply powerRZ_add; lra. Qed.
