(** What [check W C = true] says (Check.v, docs/certificate.md §3), unpacked into the checker's named
    intermediate values: the exact matrices [acc_M], the derived rows [acc_D], the inv-sqrt interval r,
    the rule of §8 [acc_R] and the case context [acc_X] of §4.4, the cases' verdict [cr], and the counts
    of the input claims of §9. Also: every exp interval the case rule reads ([tok_of], [pos_of]) encloses
    the exp of the scaled score entry ([tok_sound], [pos_sound], docs §4.2). *)
From Coq Require Import ZArith Reals Lra Lia List.
From MechProof Require Import Int Dval RealSums Table Arith Model Cert Matrices Inputs Cubic Check Statement
  ModelMatrices MatrixLemmas MatricesSound EnclosureSound.
Import ListNotations.

Module Accepted (I : INT) (Import K : CHECK I).
Module Export MS := MatricesSound I K.
Module Export EN := EnclosureSound I K.
Local Open Scope Z_scope.
Local Open Scope bool_scope.

Section Defs.
Variable W : weights.
Variable C : cert.
Variable r : ival.

Local Notation Vz := (Z.of_nat (d_vocab (cfg W))).
Local Notation nz := (Z.of_nat (n_ctx (cfg W))).

Definition acc_M : exact := exact_matrices W.
Definition acc_D : derived := derive acc_M Vz nz.
Definition acc_R : rule := mk_rule Vz nz acc_D (enclose_mat r (eqke acc_M)) (enclose_mat r (eqkp acc_M)).
Definition acc_X : ctx := mk_ctx acc_R acc_D nz (claimed (exp_eqke C)) (claimed (exp_eqkp C)).
Definition acc_total : I.t := ipow (I.of_Z Vz) (n_ctx (cfg W)).
End Defs.

(** [check W C = true], unpacked. *)
Record accepted (W : weights) (C : cert) (r : ival) (cr : cases_result I.t) (nres : Z) (nwrong : option Z) : Prop := {
  ac_version : version C = 2;
  ac_config : config_eqb (cert_config C) (cfg W) = true;
  ac_config_ok : config_ok (cfg W) = true;
  ac_shapes : shapes_ok W = true;
  ac_strategy : strategy_ok C = true;
  ac_inv_sqrt : check_inv_sqrt (inv_sqrt_d_head C) (Z.of_nat (d_head (cfg W))) = Some r;
  ac_eqke_of : is_eqke (ec_of (exp_eqke C)) = true;
  ac_eqkp_of : is_eqkp (ec_of (exp_eqkp C)) = true;
  ac_eqke_shape : enclosure_shape (exp_eqke C) (Z.of_nat (d_vocab (cfg W))) (Z.of_nat (d_vocab (cfg W))) = true;
  ac_eqkp_shape : enclosure_shape (exp_eqkp C) (Z.of_nat (d_vocab (cfg W))) (Z.of_nat (n_ctx (cfg W))) = true;
  ac_eqke_ok : enclosure_ok (exp_eqke C) (enclose_mat r (eqke (acc_M W))) = true;
  ac_eqkp_ok : enclosure_ok (exp_eqkp C) (enclose_mat r (eqkp (acc_M W))) = true;
  ac_cases : check_cases (acc_X W C r) (Z.of_nat (d_vocab (cfg W))) (Z.of_nat (n_ctx (cfg W))) (cases C) = Some cr;
  ac_inputs : check_input_claims (acc_R W r)
                (covers (Z.of_nat (d_vocab (cfg W))) (Z.of_nat (n_ctx (cfg W))) (case_tab cr) (key_tab cr))
                (n_ctx (cfg W)) (acc_total W) (residual C) (wrong C) = Some (nres, nwrong);
  ac_bound : bound_ok (cert_bound C) (acc_total W) (covered cr) nres nwrong = true }.

Theorem check_accepted (W : weights) (C : cert) :
  check W C = true -> exists r cr nres nwrong, accepted W C r cr nres nwrong.
Proof.
  unfold check. intros H.
  destruct ((version C =? 2) && config_eqb (cert_config C) (cfg W) && config_ok (cfg W) && shapes_ok W &&
            strategy_ok C) eqn:H1; [|discriminate].
  repeat rewrite Bool.andb_true_iff in H1. destruct H1 as [[[[Hv Hc] Hco] Hs] Hst].
  unfold check_claims in H.
  destruct (check_inv_sqrt (inv_sqrt_d_head C) (Z.of_nat (d_head (cfg W)))) as [r|] eqn:Hr; [|discriminate].
  destruct (is_eqke (ec_of (exp_eqke C)) && is_eqkp (ec_of (exp_eqkp C)) &&
            enclosure_shape (exp_eqke C) (Z.of_nat (d_vocab (cfg W))) (Z.of_nat (d_vocab (cfg W))) &&
            enclosure_shape (exp_eqkp C) (Z.of_nat (d_vocab (cfg W))) (Z.of_nat (n_ctx (cfg W)))) eqn:H2;
    [|discriminate].
  repeat rewrite Bool.andb_true_iff in H2. destruct H2 as [[[He1 He2] He3] He4].
  destruct (enclosure_ok (exp_eqke C) (enclose_mat r (eqke (exact_matrices W))) &&
            enclosure_ok (exp_eqkp C) (enclose_mat r (eqkp (exact_matrices W)))) eqn:H3; [|discriminate].
  apply Bool.andb_true_iff in H3 as [Ho1 Ho2].
  match type of H with context [match check_cases ?X ?V ?n ?cs with _ => _ end] =>
    destruct (check_cases X V n cs) as [cr|] eqn:Hcs; [|discriminate] end.
  match type of H with context [match check_input_claims ?R ?cv ?n ?t ?rs ?w with _ => _ end] =>
    destruct (check_input_claims R cv n t rs w) as [[nres nwrong]|] eqn:Hin; [|discriminate] end.
  exists r, cr, nres, nwrong. constructor; auto. apply Z.eqb_eq, Hv.
Qed.

(** ** The exp intervals the case rule reads (docs §4.2) *)

Lemma get_rows {A} (l : list (list A)) (i j : nat) (d : A) :
  get (get (of_list (map of_list l)) (Z.of_nat i) empty) (Z.of_nat j) d = nth j (nth i l []) d.
Proof.
  rewrite !get_of_list by lia. rewrite !Nat2Z.id.
  change (@empty A) with (@of_list A []). rewrite map_nth. rewrite get_of_list by lia. rewrite Nat2Z.id.
  reflexivity.
Qed.

Section Tok.
Variables (W : weights) (C : cert) (r : ival) (cr : cases_result I.t) (nres : Z) (nwrong : option Z).
Hypothesis A : accepted W C r cr nres nwrong.
Local Open Scope R_scope.

Local Notation V := (d_vocab (cfg W)).
Local Notation n := (n_ctx (cfg W)).
Local Notation dh := (d_head (cfg W)).

(** r_lo ≤ 1/√d_head ≤ r_hi, r_lo > 0. *)
Lemma r_sound : 0 < val (fst r) /\ val (fst r) <= / sqrt (INR dh) <= val (snd r).
Proof.
  rewrite INR_IZR_INZ. apply (inv_sqrt_sound (inv_sqrt_d_head C)); [| apply (ac_inv_sqrt _ _ _ _ _ _ A)].
  pose proof (dims W (ac_config_ok _ _ _ _ _ _ A)). lia.
Qed.

(** tok[q, t] (the claimed [exp_eqke] interval) contains exp(EQKE[q, t]/√d_head), and its lower end is ≥ 0. *)
Theorem tok_sound (q t : nat) : (q < V)%nat -> (t < V)%nat ->
  let iv := tok_of (acc_X W C r) (Z.of_nat q) (Z.of_nat t) in
  0 <= val (fst iv) /\ val (fst iv) <= exp (ModelMatrices.EQKE W q t / sqrt (INR dh)) <= val (snd iv).
Proof.
  intros Hq Ht iv. unfold iv, tok_of, acc_X, mk_ctx; simpl. rewrite get_rows.
  destruct r_sound as [_ Hr]. unfold Rdiv.
  exact (claimed_sound r _ (exp_eqke C) (eqke (acc_M W)) V V _ Hr
           (den_eqke W (ac_config_ok _ _ _ _ _ _ A) (ac_shapes _ _ _ _ _ _ A))
           (ac_eqke_shape _ _ _ _ _ _ A) (ac_eqke_ok _ _ _ _ _ _ A) q t Hq Ht).
Qed.

(** pos[q, p] (the claimed [exp_eqkp] interval) contains exp(EQKP[q, p]/√d_head), lower end ≥ 0. *)
Theorem pos_sound (q p : nat) : (q < V)%nat -> (p < n)%nat ->
  let iv := pos_of (acc_X W C r) (Z.of_nat q) (Z.of_nat p) in
  0 <= val (fst iv) /\ val (fst iv) <= exp (ModelMatrices.EQKP W q p / sqrt (INR dh)) <= val (snd iv).
Proof.
  intros Hq Hp iv. unfold iv, pos_of, acc_X, mk_ctx; simpl. rewrite get_rows.
  destruct r_sound as [_ Hr]. unfold Rdiv.
  exact (claimed_sound r _ (exp_eqkp C) (eqkp (acc_M W)) V n _ Hr
           (den_eqkp W (ac_config_ok _ _ _ _ _ _ A) (ac_shapes _ _ _ _ _ _ A))
           (ac_eqkp_shape _ _ _ _ _ _ A) (ac_eqkp_ok _ _ _ _ _ _ A) q p Hq Hp).
Qed.

End Tok.
End Accepted.
