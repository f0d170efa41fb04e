(** Counting with natural numbers: sums over lists, the number of entries passing a test (a
    filter-length, the form of Model.v's [correct_count]) and its algebra, counting the indices [0, K·B)
    block by block, binomial coefficients by Pascal's rule, and duplicate-free lists of indices.
    The tools of Counting.v. *)
From Coq Require Import Arith Bool Lia List Permutation Sorted.
Import ListNotations.
Local Open Scope bool_scope.

(** ** Sums of natural numbers *)

Definition nsum {A : Type} (f : A -> nat) (l : list A) : nat := fold_right (fun x s => f x + s) 0 l.

Section NatSums.
Context {A : Type}.
Implicit Types (f g : A -> nat) (l : list A) (b : A -> bool).

Lemma nsum_app f l1 l2 : nsum f (l1 ++ l2) = nsum f l1 + nsum f l2.
Proof. induction l1 as [|x l1 IH]; simpl; [reflexivity | rewrite IH; lia]. Qed.

Lemma nsum_ext_in f g l : (forall x, In x l -> f x = g x) -> nsum f l = nsum g l.
Proof.
  induction l as [|x l IH]; intros H; simpl; [reflexivity|].
  rewrite (H x (or_introl eq_refl)), IH; [reflexivity|]. intros y Hy. apply H. now right.
Qed.

Lemma nsum_plus f g l : nsum (fun x => f x + g x) l = nsum f l + nsum g l.
Proof. induction l as [|x l IH]; simpl; [reflexivity | rewrite IH; lia]. Qed.

(** Summing a constant over the entries that pass a test counts them. *)
Lemma nsum_if b (a : nat) l : nsum (fun x => if b x then a else 0) l = length (filter b l) * a.
Proof. induction l as [|x l IH]; simpl; [reflexivity|]. destruct (b x); simpl; rewrite IH; lia. Qed.

Lemma count_false l : length (filter (fun _ => false) l) = 0.
Proof. induction l as [|x l IH]; [reflexivity | exact IH]. Qed.

(** Counts add over the two halves of a list. *)
Lemma count_app b l1 l2 : length (filter b (l1 ++ l2)) = length (filter b l1) + length (filter b l2).
Proof. now rewrite filter_app, app_length. Qed.

Lemma count_map {B : Type} (b : B -> bool) (g : A -> B) l :
  length (filter b (map g l)) = length (filter (fun x => b (g x)) l).
Proof. induction l as [|x l IH]; simpl; [reflexivity|]. destruct (b (g x)); simpl; lia. Qed.

Lemma count_ext_in b1 b2 l : (forall x, In x l -> b1 x = b2 x) -> length (filter b1 l) = length (filter b2 l).
Proof. intros H. now rewrite (filter_ext_in _ _ _ H). Qed.

(** A test implying another counts no more. *)
Lemma count_mono b1 b2 l :
  (forall x, In x l -> b1 x = true -> b2 x = true) -> length (filter b1 l) <= length (filter b2 l).
Proof.
  induction l as [|x l IH]; intros H; simpl; [lia|].
  assert (IH' : length (filter b1 l) <= length (filter b2 l)) by (apply IH; intros y Hy; apply H; now right).
  specialize (H x (or_introl eq_refl)).
  destruct (b1 x), (b2 x); simpl; try lia; discriminate (H eq_refl).
Qed.

(** Two tests that never hold together: the count of either is the sum of the counts. *)
Lemma count_or_disjoint b1 b2 l :
  (forall x, In x l -> b1 x = true -> b2 x = false) ->
  length (filter (fun x => b1 x || b2 x) l) = length (filter b1 l) + length (filter b2 l).
Proof.
  induction l as [|x l IH]; intros H; simpl; [reflexivity|].
  assert (IH' := IH (fun y Hy => H y (or_intror Hy))).
  specialize (H x (or_introl eq_refl)).
  destruct (b1 x) eqn:E1, (b2 x) eqn:E2; simpl; try lia; discriminate (H eq_refl).
Qed.

(** A test and its negation split a list. *)
Lemma count_negb b l : length (filter b l) + length (filter (fun x => negb (b x)) l) = length l.
Proof. induction l as [|x l IH]; simpl; [reflexivity|]. destruct (b x); simpl; lia. Qed.

End NatSums.

(** ** Counting over blocks of indices *)

Lemma seq_shift_add (a b len : nat) : seq (a + b) len = map (Nat.add a) (seq b len).
Proof.
  revert b. induction len as [|len IH]; intros b; simpl; [reflexivity|].
  rewrite <- Nat.add_succ_r, IH. reflexivity.
Qed.

(** The indices [0, K·B) are the blocks k·B + [0, B) for k < K. *)
Lemma count_blocks (f : nat -> bool) (B K : nat) :
  length (filter f (seq 0 (K * B))) =
  nsum (fun k => length (filter (fun y => f (k * B + y)) (seq 0 B))) (seq 0 K).
Proof.
  induction K as [|K IH]; [reflexivity|].
  rewrite Nat.mul_succ_l, seq_app, count_app, IH, seq_S, nsum_app. f_equal.
  cbn [nsum fold_right Nat.add]. rewrite Nat.add_0_r.
  rewrite <- (Nat.add_0_r (K * B)) at 1. rewrite seq_shift_add, count_map. reflexivity.
Qed.

(** ** Counting indices *)

(** Exactly one index below V equals m < V. *)
Lemma count_eq_seq (m V : nat) : m < V -> length (filter (fun t => t =? m) (seq 0 V)) = 1.
Proof.
  intros H. replace V with (m + (1 + (V - S m))) by lia. rewrite !seq_app, !count_app.
  rewrite (count_ext_in _ (fun _ => false) (seq 0 m))
    by (intros t Ht; apply in_seq in Ht; apply Nat.eqb_neq; lia).
  rewrite (count_ext_in _ (fun _ => false) (seq (0 + m + 1) _))
    by (intros t Ht; apply in_seq in Ht; apply Nat.eqb_neq; lia).
  rewrite !count_false. simpl. rewrite Nat.eqb_refl. reflexivity.
Qed.

(** A duplicate-free list of indices below N is counted exactly by membership over [0, N). *)
Lemma count_members (N : nat) (l : list nat) :
  NoDup l -> (forall x, In x l -> x < N) -> length (filter (fun x => existsb (Nat.eqb x) l) (seq 0 N)) = length l.
Proof.
  intros Hnd Hlt. apply Permutation_length, NoDup_Permutation.
  - apply NoDup_filter, seq_NoDup.
  - exact Hnd.
  - intros x. rewrite filter_In, in_seq, existsb_exists. split.
    + intros [_ (y & Hy & E)]. apply Nat.eqb_eq in E. now subst.
    + intros Hx. split; [specialize (Hlt x Hx); lia | exists x; split; [exact Hx | apply Nat.eqb_refl]].
Qed.

(** A strictly increasing list (the checker's delta-coded input lists) is duplicate-free. *)
Lemma sorted_lt_NoDup (l : list nat) : Sorted lt l -> NoDup l.
Proof.
  intros Hs. apply Sorted_StronglySorted in Hs; [|exact Nat.lt_trans].
  induction Hs as [|x l _ IH Hall]; constructor; [|exact IH].
  intros Hx. rewrite Forall_forall in Hall. specialize (Hall x Hx). lia.
Qed.

(** ** Binomial coefficients *)

(** C(n, k), by Pascal's rule. *)
Fixpoint binom (n k : nat) : nat :=
  match n, k with
  | _, O => 1
  | O, S _ => 0
  | S n', S k' => binom n' k' + binom n' (S k')
  end.

Lemma binom_0_r (n : nat) : binom n 0 = 1.
Proof. now destruct n. Qed.

Lemma binom_pascal (n k : nat) : binom (S n) (S k) = binom n k + binom n (S k).
Proof. reflexivity. Qed.

Lemma binom_small (n k : nat) : n < k -> binom n k = 0.
Proof.
  revert k. induction n as [|n IH]; intros [|k] H; simpl; try lia.
  rewrite !IH by lia. reflexivity.
Qed.

Lemma binom_diag (n : nat) : binom n n = 1.
Proof. induction n as [|n IH]; [reflexivity|]. simpl. rewrite IH, binom_small by lia. reflexivity. Qed.
