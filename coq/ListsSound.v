(** The input lists of docs/certificate.md §9 (coq-plan lemma 9, the list half):
    - [decode_tokens]: [decode] of an index x is the list of x's base-V digits, Counting.v's [tokens]
      (Model.v's [token x p] for p < n);
    - [indices_spec]: a delta-coded list that [indices] accepts is strictly increasing (so duplicate-free)
      and within [0, total); [ipow_spec]: the checker's total is V^n;
    - [wrong_ok_sound]: every input of a checked [wrong] list is not right (RuleSound.proven_wrong_sound). *)
From Coq Require Import ZArith Reals Lra Lia List Sorted.
From MechProof Require Import Int Dval RealSums Table Arith Model Cert Matrices Inputs Cubic Check Statement Counting
  NatCounts MatrixLemmas Accepted RuleSound.
Import ListNotations.

(** ** The index of a token list (position 0 the least significant digit, docs §8) *)

Fixpoint encode (V : nat) (T : list nat) : nat :=
  match T with [] => 0%nat | t :: T' => (t + V * encode V T')%nat end.

Lemma encode_tokens (V : nat) (T : list nat) : (0 < V)%nat -> (forall t, In t T -> (t < V)%nat) ->
  tokens V (length T) (encode V T) = T /\ (encode V T < V ^ length T)%nat.
Proof.
  intros HV. induction T as [|t T IH]; intros HT; [split; [reflexivity | simpl; lia]|].
  destruct IH as [IH1 IH2]; [intros u Hu; apply HT; right; exact Hu|].
  assert (Ht : (t < V)%nat) by (apply HT; left; reflexivity).
  split.
  - unfold tokens in *. cbn [length seq map]. rewrite Nat.pow_0_r, Nat.div_1_r. cbn [encode]. f_equal.
    + rewrite Nat.mul_comm, Nat.mod_add by lia. apply Nat.mod_small, Ht.
    + rewrite <- seq_shift, map_map. rewrite <- IH1 at 2. apply map_ext. intros p. cbn [encode].
      rewrite Nat.pow_succ_r', <- Nat.div_div by (try apply Nat.pow_nonzero; lia). f_equal. f_equal.
      rewrite Nat.mul_comm, Nat.div_add, Nat.div_small by lia. lia.
  - cbn [length encode]. rewrite Nat.pow_succ_r'. nia.
Qed.

Module ListsSound (I : INT) (Import K : CHECK I).
Module Export RS := RuleSound I K.
Local Open Scope Z_scope.

(** ** Decoding an index *)

Lemma decode_from_spec (V : nat) (Vt : I.t) : (0 < V)%nat -> I.to_Z Vt = Z.of_nat V ->
  forall k x xt, I.to_Z xt = Z.of_nat x ->
  decode_from k Vt xt = map (fun p => Z.of_nat ((x / V ^ p) mod V)) (seq 0 k).
Proof.
  intros HV HVt k. induction k as [|k IH]; intros x xt Hx; [reflexivity|].
  cbn [decode_from seq map]. f_equal.
  - rewrite I.spec_sub, I.spec_mul, I.spec_div, Hx, HVt. rewrite Nat.pow_0_r, Nat.div_1_r.
    rewrite Nat2Z.inj_mod. rewrite Z.mod_eq by lia. ring.
  - rewrite (IH (x / V)%nat) by (rewrite I.spec_div, Hx, HVt, <- Nat2Z.inj_div; reflexivity).
    rewrite <- seq_shift, map_map. apply map_ext. intros p. f_equal. f_equal.
    rewrite Nat.div_div by (try apply Nat.pow_nonzero; lia). f_equal.
Qed.

Theorem decode_tokens (V n : nat) (x : nat) (xt : I.t) : (0 < V)%nat -> I.to_Z xt = Z.of_nat x ->
  decode (Z.of_nat V) n xt = map Z.of_nat (tokens V n x).
Proof.
  intros HV Hx. unfold decode, tokens. rewrite map_map.
  apply (decode_from_spec V); [exact HV | apply I.spec_of_Z | exact Hx].
Qed.

(** ** The delta-coded lists *)

Definition zlt (a b : I.t) : Prop := I.to_Z a < I.to_Z b.

Lemma indices_from_spec (total : I.t) (ds : list Z) : forall prev xs,
  indices_from total prev ds = Some xs ->
  length xs = length ds /\ Forall (fun x => I.to_Z prev < I.to_Z x < I.to_Z total) xs /\ Sorted zlt xs.
Proof.
  induction ds as [|d ds IH]; intros prev xs H; simpl in H.
  - injection H as <-. repeat constructor.
  - destruct ((d <? 1) || I.leb total (I.add prev (I.of_Z d)))%bool eqn:E; [discriminate|].
    apply Bool.orb_false_iff in E as [E1 E2]. apply Z.ltb_ge in E1.
    rewrite I.spec_leb in E2. apply Z.leb_gt in E2. rewrite I.spec_add, I.spec_of_Z in E2.
    destruct (indices_from total (I.add prev (I.of_Z d)) ds) as [xs'|] eqn:E3; [|discriminate].
    injection H as <-. destruct (IH _ _ E3) as (L & F & S). rewrite I.spec_add, I.spec_of_Z in F.
    split; [simpl; lia|]. split.
    + constructor; [rewrite I.spec_add, I.spec_of_Z; lia|].
      eapply Forall_impl; [|exact F]. intros y Hy. cbv beta in *. lia.
    + constructor; [exact S|]. destruct xs' as [|y xs'']; constructor.
      inversion F; subst. unfold zlt. rewrite I.spec_add, I.spec_of_Z. lia.
Qed.

Theorem indices_spec (total : I.t) (ds : list Z) (xs : list I.t) :
  indices total ds = Some xs ->
  length xs = length ds /\ Forall (fun x => 0 <= I.to_Z x < I.to_Z total) xs /\ Sorted zlt xs.
Proof.
  destruct ds as [|d ds]; simpl; intros H.
  - injection H as <-. repeat constructor.
  - destruct ((d <? 0) || I.leb total (I.of_Z d))%bool eqn:E; [discriminate|].
    apply Bool.orb_false_iff in E as [E1 E2]. apply Z.ltb_ge in E1.
    rewrite I.spec_leb, I.spec_of_Z in E2. apply Z.leb_gt in E2.
    destruct (indices_from total (I.of_Z d) ds) as [xs'|] eqn:E3; [|discriminate].
    injection H as <-. destruct (indices_from_spec _ _ _ _ E3) as (L & F & S). rewrite I.spec_of_Z in F.
    split; [simpl; lia|]. split.
    + constructor; [rewrite I.spec_of_Z; lia|]. eapply Forall_impl; [|exact F]. intros y Hy. cbv beta in *. lia.
    + constructor; [exact S|]. destruct xs' as [|y xs'']; constructor.
      inversion F; subst. unfold zlt. rewrite I.spec_of_Z. lia.
Qed.

(** The indices as naturals. *)
Definition to_nat (x : I.t) : nat := Z.to_nat (I.to_Z x).

Lemma sorted_to_nat (xs : list I.t) :
  Forall (fun x => 0 <= I.to_Z x) xs -> Sorted zlt xs -> Sorted lt (map to_nat xs).
Proof.
  induction xs as [|x xs IH]; intros F S; simpl; [constructor|].
  inversion F as [|? ? F1 F2]; subst. inversion S as [|? ? S1 S2]; subst. constructor; [apply IH; assumption|].
  destruct xs as [|y xs]; simpl; constructor. inversion S2; subst. inversion F2; subst.
  unfold to_nat, zlt in *. lia.
Qed.

Lemma to_Z_to_nat (x : I.t) : 0 <= I.to_Z x -> I.to_Z x = Z.of_nat (to_nat x).
Proof. intros H. unfold to_nat. rewrite Z2Nat.id by exact H. reflexivity. Qed.

(** The checker's total V^n. *)
Lemma ipow_spec (b : I.t) (k : nat) : I.to_Z (ipow b k) = I.to_Z b ^ Z.of_nat k.
Proof.
  induction k as [|k IH]; [simpl; apply I.spec_1|].
  change (ipow b (S k)) with (I.mul b (ipow b k)). rewrite I.spec_mul, IH, Nat2Z.inj_succ, Z.pow_succ_r by lia. ring.
Qed.

Lemma acc_total_spec (W : weights) :
  I.to_Z (acc_total W) = Z.of_nat (d_vocab (cfg W) ^ n_ctx (cfg W)).
Proof. unfold acc_total. rewrite ipow_spec, I.spec_of_Z, Nat2Z.inj_pow. reflexivity. Qed.

(** ** The claim [wrong] *)

Section Wrong.
Variables (W : weights) (C : cert) (r : ival) (cr : cases_result I.t) (nres : Z) (nwrong : option Z).
Hypothesis A : accepted W C r cr nres nwrong.

Local Notation V := (d_vocab (cfg W)).
Local Notation n := (n_ctx (cfg W)).

(** Every input of a checked [wrong] list is not right. *)
Theorem wrong_ok_sound (cov : list Z -> bool) (rx xs : list I.t) (witness : list Z) :
  Forall (fun x => 0 <= I.to_Z x) xs ->
  wrong_ok (acc_R W r) cov n rx xs witness = true -> forall x, In x xs -> ~ right W (to_nat x).
Proof.
  intros Hpos H x Hx. pose proof (dims' W C r cr nres nwrong A) as Hd.
  unfold wrong_ok in H. repeat rewrite Bool.andb_true_iff in H. destruct H as [[HL _] H].
  apply Z.eqb_eq in HL. rewrite !lenZ_length in HL. apply Nat2Z.inj in HL.
  apply In_nth with (d := I.zero) in Hx as (i & Hi & <-).
  rewrite forallb_forall in H.
  specialize (H (nth i xs I.zero, nth i witness 0)).
  rewrite <- combine_nth in H by congruence.
  assert (Hc : (i < length (combine xs witness))%nat) by (rewrite combine_length; lia).
  specialize (H (nth_In _ _ Hc)). rewrite combine_nth in H by congruence.
  cbv beta iota in H. set (j := nth i witness 0) in H. set (xi := nth i xs I.zero) in *.
  assert (Hxi : 0 <= I.to_Z xi) by (rewrite Forall_forall in Hpos; apply Hpos, nth_In; lia).
  assert (RV : rl_V (acc_R W r) = Z.of_nat V) by reflexivity. rewrite RV in H.
  rewrite (decode_tokens V n (to_nat xi) xi) in H by (lia || apply to_Z_to_nat, Hxi).
  rewrite T_max in H.
  destruct ((0 <=? j) && (j <? Z.of_nat V) && negb (j =? Z.of_nat (max_token W (to_nat xi))) &&
            negb (cov (map Z.of_nat (tokens V n (to_nat xi)))))%bool eqn:E; [|discriminate].
  repeat rewrite Bool.andb_true_iff in E. destruct E as [[[E1 E2] E3] _].
  apply Z.leb_le in E1. apply Z.ltb_lt in E2. apply Bool.negb_true_iff, Z.eqb_neq in E3.
  rewrite <- (Z2Nat.id j E1) in H.
  apply (proven_wrong_sound W C r cr nres nwrong A (to_nat xi) (Z.to_nat j)); [lia | | exact H].
  intros Ej. apply E3. rewrite <- Ej. lia.
Qed.

(** The rule on a token list given as such (e.g. the single input of a c = 0 case): proven right means
    the input with these tokens is right. *)
Theorem proven_right_list (T : list nat) : length T = n -> (forall t, In t T -> (t < V)%nat) ->
  proven_right (acc_R W r) (map Z.of_nat T) = true -> right W (encode V T) /\ (encode V T < V ^ n)%nat.
Proof.
  intros HL HT H. pose proof (dims' W C r cr nres nwrong A) as Hd.
  destruct (encode_tokens V T ltac:(lia) HT) as [E1 E2]. rewrite HL in E1, E2. split; [|exact E2].
  apply (proven_right_sound W C r cr nres nwrong A). rewrite E1. exact H.
Qed.

End Wrong.
End ListsSound.
