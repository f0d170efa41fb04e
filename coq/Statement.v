(** The soundness theorem, stated (its proof is separate work): a certificate that the checker accepts
    bounds the number of inputs the model answers right.

    For every instance [I] of [INT], [check W C = true] (the checker [Check I]) implies
    - [cert_correct C ≤ correct_count W] (the lower bound, docs §3), and
    - [correct_count W ≤ u] when C states [bound.upper = u] (docs §9).

    [correct_count] is the number of right inputs of the real-number model of [Model.v]; [cert_correct]
    and [cert_upper] are the numbers the certificate file states. [W] and [C] range over all values of
    their types: a check that passed on ill-shaped data would make the statement false, so [Check.check]
    rejects them.

    The final theorem has this form:

      Module Soundness (I : INT) (K : CHECK I) : SOUND I K.
      Module SoundZ := Soundness ZInt CheckZ.   (* no axiom but those of the reals *)
      Module SoundB := Soundness BigInt CheckB. (* also the axioms of Coq's primitive integers *)

    It is proved once for every [I], through the [spec_*] equations of [INT], about the checker
    instance [K] it is given; applied to [CheckB], the very instance the files of [Certificates/] run,
    [SoundB.lower W C checked] turns their theorem [checked : CheckB.check W C = true] into the bound.
    (Taking the instance as a parameter matters: two applications of [Check] to one [I] are
    convertible only at a prohibitive cost, so the theorem must be about the constant that [vm_compute]
    ran.) Proofs split over several files take the same parameters, e.g.
    [Module ArithFacts (I : INT) (Import K : CHECK I)]. *)
From Coq Require Import ZArith.
From MechProof Require Import Int Model Cert Check.
Local Open Scope Z_scope.

Definition sound_lower (check : weights -> cert -> bool) : Prop :=
  forall W C, check W C = true -> cert_correct C <= Z.of_nat (correct_count W).

Definition sound_upper (check : weights -> cert -> bool) : Prop :=
  forall W C u, check W C = true -> cert_upper C = Some u -> Z.of_nat (correct_count W) <= u.

(** The checker over [I], every definition transparent: [CheckZ] and [CheckB] are two such modules. *)
Module Type CHECK (I : INT).
  Include Check I.
End CHECK.

(** What the soundness proof provides, for a checker instance [K] over [I]. *)
Module Type SOUND (I : INT) (K : CHECK I).
  Parameter lower : sound_lower K.check.
  Parameter upper : sound_upper K.check.
End SOUND.
