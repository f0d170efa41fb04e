(** The Coq checker over [Z] ([CheckZ.check], whose soundness theorem rests on no axiom of integers),
    extracted to OCaml with [Z] as zarith's big integers: the fallback for certificates too large for
    [vm_compute] (see TRUST.md). [run.ml] reads a certificate written by [python -m mechproof.coqgen
    --flat] and applies the extracted [check] to it.

    Trusted beyond the kernel: Coq's extraction, the OCaml compiler, zarith (GMP), the mapping of [Z]'s
    operations to zarith's below and in Coq's [ExtrOcamlZBigInt], and [run.ml]'s reading of the data. *)
From Coq Require Import ZArith Extraction ExtrOcamlBasic ExtrOcamlZBigInt ExtrOcamlNatInt.
From MechProof Require Import Model Cert Check.

(** [Z.log2] (0 for x ≤ 0, else the number of binary digits of x minus 1), which [ExtrOcamlZBigInt]
    leaves to its Coq definition (one division by 2 per bit). *)
Extract Constant Z.log2 =>
  "(fun x -> if Big_int_Z.sign_big_int x <= 0 then Big_int_Z.zero_big_int
             else Big_int_Z.big_int_of_int (Z.numbits x - 1))".

Extraction "checker.ml" CheckZ.check.
