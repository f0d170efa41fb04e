(** The soundness theorem of Statement.v, proved: for every instance [I] of [INT] and every checker [K]
    over it, a certificate that [K.check] accepts bounds the number of inputs the model answers right.
    - [lower]: [cert_correct C ≤ correct_count W] — the cases' count (CubicSound.lower_acc) plus the
      residual list (ResidualSound.residual_facts), docs §3, §4, §9;
    - [upper]: [correct_count W ≤ u] when C states [bound.upper = u] (UpperSound.upper), docs §9.
    [SoundZ] is about [CheckZ] (resting on the axioms of Coq's real numbers only), [SoundB] about [CheckB],
    the instance the files of [Certificates/] run. *)
From Coq Require Import ZArith Lia List.
From MechProof Require Import Int Model Cert Check Statement Counting CubicSound ResidualSound UpperSound.
Import ListNotations.

Module Soundness (I : INT) (K : CHECK I) : SOUND I K.
  Module CS := CubicSound I K.
  Module RD := ResidualSound I K.
  Module US := UpperSound I K.

  Theorem lower : sound_lower K.check.
  Proof.
    intros W C H. destruct (CS.RS.WS.AC.check_accepted W C H) as (r & cr & nres & nwrong & A).
    pose proof (CS.RS.dims' W C r cr nres nwrong A) as Hd.
    destruct (RD.residual_facts (CS.RS.WS.AC.acc_R W r) (d_vocab (cfg W)) (n_ctx (cfg W)) _
                (CS.RS.WS.AC.acc_total W) (residual C) (wrong C) nres nwrong ltac:(lia) eq_refl eq_refl
                (RD.LS.acc_total_spec W) (CS.RS.WS.AC.ac_inputs _ _ _ _ _ _ A)) as (rs & Hnd & Hn & Hres).
    exact (CS.lower_acc W C r cr nres nwrong A rs Hnd Hn Hres).
  Qed.

  Definition upper : sound_upper K.check := US.upper.
End Soundness.

Module SoundZ := Soundness ZInt CheckZ.
Module SoundB := Soundness BigInt CheckB.

(** The theorem for the checker over Coq's [Z], stated outside any module type. The [Parameter]s of the module
    types [SOUND] and [INT] are interface fields, which [Soundness] and [ZInt] define; they are no assumptions:
    [Print Assumptions] of these two theorems lists the axioms of Coq's reals only. *)
Theorem check_sound_lower : sound_lower CheckZ.check.
Proof. exact SoundZ.lower. Qed.
Theorem check_sound_upper : sound_upper CheckZ.check.
Proof. exact SoundZ.upper. Qed.
