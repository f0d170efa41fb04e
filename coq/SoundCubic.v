(** The lower bound of every certificate without a residual list ([CubicSound.lower_no_residual]: a checked certificate's [bound.correct] is at most the
    number of right inputs, the cubic cases counted by C(n−1, c)·|G|^c), for the two checker instances.

      CubicZ.lower_no_residual : forall W C, CheckZ.check W C = true -> residual C = None ->
                                 cert_correct C <= Z.of_nat (correct_count W)
      CubicB.lower_no_residual : the same for CheckB, the instance the files of Certificates/ run.

    The full theorem, [Soundness (I : INT) (K : CHECK I) : SOUND I K] (Soundness.v), adds the residual list's
    facts (docs §9), which [CubicSound.lower_acc] takes as its hypotheses, and [sound_upper]. *)
From MechProof Require Import Int Check CubicSound.

Module CubicZ := CubicSound ZInt CheckZ.
Module CubicB := CubicSound BigInt CheckB.
