(** Finite sums of real numbers over lists, and the algebra the soundness proof uses on them.

    [rsum f l] is [f l_0 + f l_1 + … + f l_{k−1}] (0 for the empty list). Every sum of the argument is
    one of these: over positions (the softmax weights and the logit difference of docs §8), over the
    slots of a placement (docs §4.3/§4.4), over the two halves of a partition of the positions.

    Proven here: the unfolding equations, linearity ([rsum_plus], [rsum_scal_l], …), monotonicity
    ([rsum_le], [rsum_lt]) and signs ([rsum_nonneg], [rsum_pos], …), invariance under permutation of
    the index list, splitting over a partition of it (by a boolean filter, or into a sub-list and its
    complement), exchanging a double sum, and the equations that turn the other usual forms of a sum
    ([fold_left], [fold_right] over [map], [sum_f_R0], and Model.v's recursive [sum k f] through
    [rsum_seq_rec]) into [rsum]. *)
From Coq Require Import Reals Lra List Permutation.
Import ListNotations.
Local Open Scope R_scope.

Definition rsum {A : Type} (f : A -> R) (l : list A) : R :=
  fold_right (fun x s => f x + s) 0 l.

Section RealSums.
Context {A : Type}.
Implicit Types (f g : A -> R) (l : list A).

(** ** Unfolding *)

Lemma rsum_nil f : rsum f [] = 0.
Proof. reflexivity. Qed.

Lemma rsum_cons f x l : rsum f (x :: l) = f x + rsum f l.
Proof. reflexivity. Qed.

Lemma rsum_one f x : rsum f [x] = f x.
Proof. simpl. ring. Qed.

Lemma rsum_app f l1 l2 : rsum f (l1 ++ l2) = rsum f l1 + rsum f l2.
Proof. induction l1 as [|x l1 IH]; simpl; [ring | rewrite IH; ring]. Qed.

Lemma rsum_snoc f l x : rsum f (l ++ [x]) = rsum f l + f x.
Proof. rewrite rsum_app, rsum_one. reflexivity. Qed.

Lemma rsum_map {B : Type} f (g : B -> A) (l : list B) : rsum f (map g l) = rsum (fun y => f (g y)) l.
Proof. induction l as [|y l IH]; simpl; [reflexivity | now rewrite IH]. Qed.

(** ** Extensionality *)

Lemma rsum_ext_in f g l : (forall x, In x l -> f x = g x) -> rsum f l = rsum g l.
Proof.
  induction l as [|x l IH]; intros H; simpl; [reflexivity|].
  rewrite (H x (or_introl eq_refl)), IH; [reflexivity|]. intros y Hy. apply H. now right.
Qed.

Lemma rsum_ext f g l : (forall x, f x = g x) -> rsum f l = rsum g l.
Proof. intros H. apply rsum_ext_in. intros x _. apply H. Qed.

(** ** Linearity *)

Lemma rsum_zero l : rsum (fun _ => 0) l = 0.
Proof. induction l as [|x l IH]; simpl; [reflexivity | rewrite IH; ring]. Qed.

Lemma rsum_const (c : R) l : rsum (fun _ => c) l = INR (length l) * c.
Proof.
  induction l as [|x l IH]; simpl length; [simpl; ring|].
  rewrite rsum_cons, IH, S_INR. ring.
Qed.

Lemma rsum_plus f g l : rsum (fun x => f x + g x) l = rsum f l + rsum g l.
Proof. induction l as [|x l IH]; simpl; [ring | rewrite IH; ring]. Qed.

Lemma rsum_opp f l : rsum (fun x => - f x) l = - rsum f l.
Proof. induction l as [|x l IH]; simpl; [ring | rewrite IH; ring]. Qed.

Lemma rsum_minus f g l : rsum (fun x => f x - g x) l = rsum f l - rsum g l.
Proof. induction l as [|x l IH]; simpl; [ring | rewrite IH; ring]. Qed.

Lemma rsum_scal_l (c : R) f l : rsum (fun x => c * f x) l = c * rsum f l.
Proof. induction l as [|x l IH]; simpl; [ring | rewrite IH; ring]. Qed.

Lemma rsum_scal_r (c : R) f l : rsum (fun x => f x * c) l = rsum f l * c.
Proof. induction l as [|x l IH]; simpl; [ring | rewrite IH; ring]. Qed.

Lemma rsum_div (c : R) f l : rsum (fun x => f x / c) l = rsum f l / c.
Proof. unfold Rdiv. apply rsum_scal_r. Qed.

(** ** Order and signs *)

Lemma rsum_le f g l : (forall x, In x l -> f x <= g x) -> rsum f l <= rsum g l.
Proof.
  induction l as [|x l IH]; intros H; simpl; [lra|].
  apply Rplus_le_compat; [apply H; now left | apply IH; intros y Hy; apply H; now right].
Qed.

(** Strict when the list is not empty and every term is strictly smaller. *)
Lemma rsum_lt f g l : l <> [] -> (forall x, In x l -> f x < g x) -> rsum f l < rsum g l.
Proof.
  destruct l as [|x l]; intros Hne H; [congruence|]. simpl.
  apply Rplus_lt_le_compat; [apply H; now left|].
  apply rsum_le. intros y Hy. left. apply H. now right.
Qed.

Lemma rsum_nonneg f l : (forall x, In x l -> 0 <= f x) -> 0 <= rsum f l.
Proof. intros H. rewrite <- (rsum_zero l). now apply rsum_le. Qed.

Lemma rsum_nonpos f l : (forall x, In x l -> f x <= 0) -> rsum f l <= 0.
Proof. intros H. rewrite <- (rsum_zero l). now apply rsum_le. Qed.

Lemma rsum_pos f l : l <> [] -> (forall x, In x l -> 0 < f x) -> 0 < rsum f l.
Proof. intros Hne H. rewrite <- (rsum_zero l). now apply rsum_lt. Qed.

Lemma rsum_neg f l : l <> [] -> (forall x, In x l -> f x < 0) -> rsum f l < 0.
Proof. intros Hne H. rewrite <- (rsum_zero l). now apply rsum_lt. Qed.

(** A sum of non-negative terms bounds each of them. *)
Lemma rsum_term_le f l x : (forall y, In y l -> 0 <= f y) -> In x l -> f x <= rsum f l.
Proof.
  induction l as [|y l IH]; intros H Hx; [destruct Hx|]. simpl.
  destruct Hx as [<-|Hx].
  - assert (0 <= rsum f l) by (apply rsum_nonneg; intros z Hz; apply H; now right). lra.
  - assert (0 <= f y) by (apply H; now left).
    assert (f x <= rsum f l) by (apply IH; [intros z Hz; apply H; now right | exact Hx]). lra.
Qed.

(** ** Rearranging the index list *)

Lemma rsum_perm f l1 l2 : Permutation l1 l2 -> rsum f l1 = rsum f l2.
Proof.
  induction 1 as [| x l1 l2 _ IH | x y l | l1 l2 l3 _ IH1 _ IH2]; simpl; try lra.
Qed.

Lemma rsum_rev f l : rsum f (rev l) = rsum f l.
Proof. apply rsum_perm. apply Permutation_sym, Permutation_rev. Qed.

(** Splitting over a partition of the index list given as a permutation of two lists. *)
Lemma rsum_partition f l l1 l2 : Permutation l (l1 ++ l2) -> rsum f l = rsum f l1 + rsum f l2.
Proof. intros H. rewrite (rsum_perm f _ _ H). apply rsum_app. Qed.

(** Splitting by a boolean test: the terms that pass it and those that fail it. *)
Lemma rsum_filter_split f (b : A -> bool) l :
  rsum f l = rsum f (filter b l) + rsum f (filter (fun x => negb (b x)) l).
Proof.
  induction l as [|x l IH]; simpl; [ring|].
  destruct (b x); simpl; rewrite IH; ring.
Qed.

(** A filtered sum is the full sum of the terms masked by the test. *)
Lemma rsum_filter f (b : A -> bool) l : rsum f (filter b l) = rsum (fun x => if b x then f x else 0) l.
Proof.
  induction l as [|x l IH]; simpl; [reflexivity|].
  destruct (b x); simpl; rewrite IH; ring.
Qed.

(** A duplicate-free sub-list [s] of a duplicate-free [l], followed by the rest of [l], is a
    permutation of [l]: the positions of a placement and the other positions. *)
Definition complement (eq_dec : forall x y : A, {x = y} + {x <> y}) (s l : list A) : list A :=
  filter (fun x => if in_dec eq_dec x s then false else true) l.

Lemma perm_filter_split (b : A -> bool) l : Permutation l (filter b l ++ filter (fun x => negb (b x)) l).
Proof.
  induction l as [|x l IH]; simpl; [reflexivity|].
  destruct (b x); simpl; [now apply perm_skip|].
  eapply perm_trans; [apply perm_skip, IH | apply Permutation_middle].
Qed.

Lemma sub_complement_perm (eq_dec : forall x y : A, {x = y} + {x <> y}) l s :
  NoDup l -> NoDup s -> incl s l -> Permutation l (s ++ complement eq_dec s l).
Proof.
  intros Hl Hs Hincl.
  eapply perm_trans; [apply (perm_filter_split (fun x => if in_dec eq_dec x s then true else false))|].
  apply Permutation_app.
  - apply NoDup_Permutation; [now apply NoDup_filter | exact Hs |].
    intros x. rewrite filter_In. split.
    + intros [_ H]. now destruct (in_dec eq_dec x s).
    + intros H. split; [now apply Hincl | now destruct (in_dec eq_dec x s)].
  - assert (E : filter (fun x => negb (if in_dec eq_dec x s then true else false)) l
                = complement eq_dec s l).
    { apply filter_ext. intros x. now destruct (in_dec eq_dec x s). }
    rewrite E. reflexivity.
Qed.

Lemma rsum_sub_complement (eq_dec : forall x y : A, {x = y} + {x <> y}) f l s :
  NoDup l -> NoDup s -> incl s l -> rsum f l = rsum f s + rsum f (complement eq_dec s l).
Proof. intros Hl Hs Hincl. apply rsum_partition. now apply sub_complement_perm. Qed.

(** ** Other forms of the same sum *)

Lemma rsum_fold_right_map f l : rsum f l = fold_right Rplus 0 (map f l).
Proof. induction l as [|x l IH]; simpl; [reflexivity | now rewrite IH]. Qed.

Lemma rsum_fold_left f l : rsum f l = fold_left (fun s x => s + f x) l 0.
Proof.
  assert (G : forall a, fold_left (fun s x => s + f x) l a = a + rsum f l).
  { induction l as [|x l IH]; intros a; simpl; [ring | rewrite IH; ring]. }
  rewrite G. ring.
Qed.

End RealSums.

(** Sums over [seq]: the last term, and the standard library's [sum_f_R0 f n = f 0 + … + f n]. *)
Lemma rsum_seq_S (f : nat -> R) (k n : nat) : rsum f (seq k (S n)) = rsum f (seq k n) + f (k + n)%nat.
Proof. rewrite seq_S. apply rsum_snoc. Qed.

Lemma rsum_sum_f_R0 (f : nat -> R) (n : nat) : rsum f (seq 0 (S n)) = sum_f_R0 f n.
Proof.
  induction n as [|n IH]; [simpl; ring|].
  rewrite rsum_seq_S, IH. reflexivity.
Qed.

(** Any sum over 0..k−1 defined by the recursion s(0) = 0, s(k+1) = s(k) + f(k) (Model.v's [sum]) is
    [rsum f (seq 0 k)]. *)
Lemma rsum_seq_rec (s : nat -> (nat -> R) -> R) :
  (forall f, s O f = 0) -> (forall k f, s (S k) f = s k f + f k) ->
  forall k f, s k f = rsum f (seq 0 k).
Proof.
  intros H0 HS k f. induction k as [|k IH]; [apply H0|].
  rewrite HS, IH, rsum_seq_S. reflexivity.
Qed.

(** Exchanging the two sums of a double sum. *)
Lemma rsum_swap {A B : Type} (f : A -> B -> R) (la : list A) (lb : list B) :
  rsum (fun x => rsum (fun y => f x y) lb) la = rsum (fun y => rsum (fun x => f x y) la) lb.
Proof.
  induction la as [|x la IH]; simpl.
  - symmetry. apply rsum_zero.
  - rewrite IH, <- rsum_plus. reflexivity.
Qed.
