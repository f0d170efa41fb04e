(** The link from the checker's integers to the model (docs/certificate.md §2; coq-plan lemma 1): for
    weights whose config and shapes the checker accepts ([config_ok], [shapes_ok] of Check.v), the exact
    matrices EUPU, EVOU, PVOU, EQKE, EQKP that [exact_matrices] computes denote, entry by entry through
    [dval], the real matrices of ModelMatrices.v over Model.v's weights; so do the rows of [derive] at
    the common exponent [d_e]. Everything is about the checker instance [K] it is given. *)
From Coq Require Import ZArith Reals Lra Lia List.
From MechProof Require Import Int Dval RealSums Arith Model Matrices Check Statement ModelMatrices MatrixLemmas.
Import ListNotations.

(** The config's ranges (Check.v's [config_ok]) as facts about naturals. *)
Lemma config_ok_spec (c : config) : config_ok c = true ->
  (2 <= d_vocab c <= 4096 /\ 2 <= n_ctx c <= 64 /\ 1 <= d_model c <= 1024 /\ 1 <= d_head c <= 1024)%nat.
Proof.
  unfold config_ok. intros H. repeat rewrite Bool.andb_true_iff in H.
  destruct H as [[[[[[[H1 H2] H3] H4] H5] H6] H7] H8]. apply Nat.leb_le in H1, H2, H3, H4, H5, H6, H7, H8.
  lia.
Qed.

Lemma tensor_ok_length (t : tensor) (r c : nat) : tensor_ok t r c = true -> length (mantissas t) = (r * c)%nat.
Proof. unfold tensor_ok. rewrite Z.eqb_eq, lenZ_length. lia. Qed.

Module MatricesSound (I : INT) (K : CHECK I).
Import K.
Module Export ML := MatrixLemmas I K.
Local Open Scope R_scope.

Section Weights.
Variable W : weights.
Hypothesis Hcfg : config_ok (cfg W) = true.
Hypothesis Hshapes : shapes_ok W = true.

Local Notation V := (d_vocab (cfg W)).
Local Notation n := (n_ctx (cfg W)).
Local Notation dm := (d_model (cfg W)).
Local Notation dh := (d_head (cfg W)).

Lemma dims : (2 <= V /\ 2 <= n /\ 1 <= dm /\ 1 <= dh)%nat.
Proof. pose proof (config_ok_spec _ Hcfg). lia. Qed.

Lemma shapes :
  length (mantissas (W_E W)) = (V * dm)%nat /\ length (mantissas (W_pos W)) = (n * dm)%nat /\
  length (mantissas (W_Q W)) = (dm * dh)%nat /\ length (mantissas (W_K W)) = (dm * dh)%nat /\
  length (mantissas (W_V W)) = (dm * dh)%nat /\ length (mantissas (W_O W)) = (dh * dm)%nat /\
  length (mantissas (W_U W)) = (dm * V)%nat.
Proof.
  pose proof Hshapes as H. unfold shapes_ok in H. repeat rewrite Bool.andb_true_iff in H.
  destruct H as [[[[[[H1 H2] H3] H4] H5] H6] H7]. apply tensor_ok_length in H1, H2, H3, H4, H5, H6, H7.
  repeat split; assumption.
Qed.

(** The weight tensors as the checker cuts them. *)
Definition mE := tensor_mat (W_E W) V dm.
Definition mP := tensor_mat (W_pos W) n dm.
Definition mQ := tensor_mat (W_Q W) dm dh.
Definition mK := tensor_mat (W_K W) dm dh.
Definition mV := tensor_mat (W_V W) dm dh.
Definition mO := tensor_mat (W_O W) dh dm.
Definition mU := tensor_mat (W_U W) dm V.
Definition mEt := add_row mE (nth (n - 1) (rows mP) []) (mexp mP).
Definition mEtQK := mul_nt (matmul mEt mQ) mK.
Definition mOVU := matmul (matmul mV mO) mU.

Lemma den_E : den (rows mE) (mexp mE) V dm (wE W).
Proof. apply den_tensor, shapes. Qed.
Lemma den_P : den (rows mP) (mexp mP) n dm (wP W).
Proof. apply den_tensor, shapes. Qed.
Lemma den_Q : den (rows mQ) (mexp mQ) dm dh (wQ W).
Proof. apply den_tensor, shapes. Qed.
Lemma den_K : den (rows mK) (mexp mK) dm dh (wK W).
Proof. apply den_tensor, shapes. Qed.
Lemma den_V : den (rows mV) (mexp mV) dm dh (wV W).
Proof. apply den_tensor, shapes. Qed.
Lemma den_O : den (rows mO) (mexp mO) dh dm (wO W).
Proof. apply den_tensor, shapes. Qed.
Lemma den_U : den (rows mU) (mexp mU) dm V (wU W).
Proof. apply den_tensor, shapes. Qed.

(** Ẽ = W_E + W_pos[n−1] *)
Lemma den_Et : den (rows mEt) (mexp mEt) V dm (Et W).
Proof.
  pose proof dims. destruct den_P as (P1 & P2 & P3).
  apply (den_add_row mE _ _ V dm (wE W) (fun j => wP W (n - 1) j) den_E).
  - apply Forall_nth_len; [exact P2 | lia].
  - intros j Hj. apply P3; lia.
Qed.

Lemma den_EtQK : den (rows mEtQK) (mexp mEtQK) V dm (EtQK W).
Proof.
  pose proof dims. eapply den_ext.
  - apply (den_mul_nt _ _ V dm dh); [| exact den_K]. apply (den_matmul _ _ V dm dh); [lia | exact den_Et | exact den_Q].
  - intros q k _ _. unfold EtQK, EtQ. rewrite sum_rsum. apply rsum_ext. intros h. rewrite sum_rsum. reflexivity.
Qed.

Lemma den_OVU : den (rows mOVU) (mexp mOVU) dm V (OVU W).
Proof.
  pose proof dims. eapply den_ext.
  - apply (den_matmul _ _ dm dm V); [lia | | exact den_U]. apply (den_matmul _ _ dm dh dm); [lia | exact den_V | exact den_O].
  - intros k j _ _. unfold OVU, VO. rewrite sum_rsum. apply rsum_ext. intros i. rewrite sum_rsum. reflexivity.
Qed.

(** ** docs §2: the exact matrices *)

Let M := exact_matrices W.

Theorem den_eqke : den (rows (eqke M)) (mexp (eqke M)) V V (ModelMatrices.EQKE W).
Proof.
  pose proof dims. eapply den_ext; [apply (den_mul_nt mEtQK mE V V dm); [exact den_EtQK | exact den_E]|].
  intros q t _ _. unfold ModelMatrices.EQKE. rewrite sum_rsum. reflexivity.
Qed.

Theorem den_eqkp : den (rows (eqkp M)) (mexp (eqkp M)) V n (ModelMatrices.EQKP W).
Proof.
  pose proof dims. eapply den_ext; [apply (den_mul_nt mEtQK mP V n dm); [exact den_EtQK | exact den_P]|].
  intros q p _ _. unfold ModelMatrices.EQKP. rewrite sum_rsum. reflexivity.
Qed.

Theorem den_eupu : den (rows (eupu M)) (mexp (eupu M)) V V (EUPU W).
Proof.
  pose proof dims. eapply den_ext; [apply (den_matmul mEt mU V dm V); [lia | exact den_Et | exact den_U]|].
  intros q j _ _. unfold EUPU. rewrite sum_rsum. reflexivity.
Qed.

Theorem den_evou : den (rows (evou M)) (mexp (evou M)) V V (EVOU W).
Proof.
  pose proof dims. eapply den_ext; [apply (den_matmul mE mOVU V dm V); [lia | exact den_E | exact den_OVU]|].
  intros t j _ _. unfold EVOU. rewrite sum_rsum. reflexivity.
Qed.

Theorem den_pvou : den (rows (pvou M)) (mexp (pvou M)) n V (PVOU W).
Proof.
  pose proof dims. eapply den_ext; [apply (den_matmul mP mOVU n dm V); [lia | exact den_P | exact den_OVU]|].
  intros p j _ _. unfold PVOU. rewrite sum_rsum. reflexivity.
Qed.

(** ** docs §2: EUPU, EVOU, PVOU at the common exponent d_e of [derive] *)

Let D := derive M (Z.of_nat V) (Z.of_nat n).

Lemma d_e_le : (d_e D <= mexp (eupu M) /\ d_e D <= mexp (evou M) /\ d_e D <= mexp (pvou M))%Z.
Proof. unfold D, derive; simpl. lia. Qed.

Theorem den_eupu_rows : den (eupu_rows D) (d_e D) V V (EUPU W).
Proof. apply den_scale; [apply d_e_le | exact den_eupu]. Qed.

Theorem den_evou_rows : den (evou_rows D) (d_e D) V V (EVOU W).
Proof. apply den_scale; [apply d_e_le | exact den_evou]. Qed.

Theorem den_pvou_rows : den (pvou_rows D) (d_e D) n V (PVOU W).
Proof. apply den_scale; [apply d_e_le | exact den_pvou]. Qed.

End Weights.
End MatricesSound.
