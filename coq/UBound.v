(** N ≤ U (docs/certificate.md §2, §4.3, §8; coq-plan lemma 5), on the checker's own integers.

    For an input with query token q, max token m, token t at position p and any logit j ≠ m, the
    coefficient of the input rule (§8), at the common exponent [d_e] of [Matrices.derive],

      N_{p,j} = (EUPU[q, j] − EUPU[q, m]) + (EVOU[t, j] − EVOU[t, m]) + (PVOU[p, j] − PVOU[p, m]),

    is at most U[q, m, t] = E*[q, m] + V*[m, t] as the rule reads it ([U_of], from the tables of
    [mk_rule]). Term by term:
    - EUPU[q, j] − EUPU[q, m] ≤ max_{j' ≠ m} EUPU[q, j'] − EUPU[q, m] = E*[q, m];
    - PVOU[p, j] − PVOU[p, m] ≤ P*[m, j] (the entrywise max over the positions);
    - EVOU[t, j] − EVOU[t, m] + P*[m, j] ≤ max_{j' ≠ m} (EVOU[t, j'] + P*[m, j']) − EVOU[t, m] = V*[m, t].

    The statement needs the shapes of the derived rows ([rows_shape]: V rows of V entries for EUPU and EVOU,
    n rows of V for PVOU); [derive_shape] gives them from the exact matrices' shapes. Everything is
    proven through [I.to_Z] and the [spec_*] equations, about the constants of the checker instance [K]. *)
From Coq Require Import ZArith List Lia.
From MechProof Require Import Int Table Arith Matrices Inputs Statement.
Import ListNotations.
Local Open Scope Z_scope.

(** [l] has [r] rows, each of [c] entries. *)
Definition rows_shape {T : Type} (l : list (list T)) (r c : nat) : Prop :=
  length l = r /\ Forall (fun row => length row = c) l.

(** Entry [i] of a [map2], below both lengths. *)
Lemma nth_map2 {A B C : Type} (f : A -> B -> C) (a : list A) (b : list B) (i : nat) (da : A) (db : B) (dc : C) :
  (i < length a)%nat -> (i < length b)%nat -> nth i (map2 f a b) dc = f (nth i a da) (nth i b db).
Proof.
  revert b i. induction a as [|x a IH]; intros [|y b] i Ha Hb; simpl in *; try lia.
  destruct i; [reflexivity|]. apply IH; lia.
Qed.

Lemma length_map2 {A B C : Type} (f : A -> B -> C) (a : list A) (b : list B) :
  length (map2 f a b) = Nat.min (length a) (length b).
Proof. revert b. induction a as [|x a IH]; intros [|y b]; simpl; auto. Qed.

(** [(k + i, l[i])] is listed by [indexed_from k l]. *)
Lemma in_indexed_from {A : Type} (l : list A) (d : A) : forall (k : Z) (i : nat),
  (i < length l)%nat -> In (k + Z.of_nat i, nth i l d) (indexed_from k l).
Proof.
  induction l as [|x l IH]; intros k i Hi; simpl in *; [lia|].
  destruct i as [|i].
  - left. f_equal. lia.
  - right. replace (k + Z.of_nat (S i)) with (Z.succ k + Z.of_nat i) by lia. apply IH. lia.
Qed.

(** Entry [j] of a list is kept by [drop_at m] when [j ≠ m]. *)
Lemma in_drop_at {A : Type} (l : list A) (d : A) (j m : Z) :
  0 <= j -> (Z.to_nat j < length l)%nat -> j <> m -> In (nth (Z.to_nat j) l d) (drop_at m l).
Proof.
  intros Hj Hlt Hne. unfold drop_at, indexed.
  apply in_map_iff. exists (j, nth (Z.to_nat j) l d). split; [reflexivity|].
  apply filter_In. split.
  - pose proof (in_indexed_from l d 0 (Z.to_nat j) Hlt) as H. now rewrite Z2Nat.id in H by lia.
  - simpl. now rewrite (proj2 (Z.eqb_neq j m) Hne).
Qed.

Module UBound (I : INT) (Import K : CHECK I).

  (** ** Maxima of integer lists *)

  Lemma imax_spec (a b : I.t) : I.to_Z (imax a b) = Z.max (I.to_Z a) (I.to_Z b).
  Proof. unfold imax. rewrite I.spec_ltb. destruct (Z.ltb_spec (I.to_Z a) (I.to_Z b)); lia. Qed.

  Lemma fold_imax_ge (l : list I.t) : forall x,
    I.to_Z x <= I.to_Z (fold_left imax l x) /\ forall y, In y l -> I.to_Z y <= I.to_Z (fold_left imax l x).
  Proof.
    induction l as [|z l IH]; intros x; simpl.
    - split; [lia | intros y []].
    - destruct (IH (imax x z)) as [H1 H2]. rewrite imax_spec in H1. split; [lia|].
      intros y [<-|Hy]; [lia | now apply H2].
  Qed.

  Lemma list_max_ge (l : list I.t) (y : I.t) : In y l -> I.to_Z y <= I.to_Z (list_max l).
  Proof.
    destruct l as [|x l]; [intros []|]. simpl. destruct (fold_imax_ge l x) as [H1 H2].
    intros [<-|Hy]; auto.
  Qed.

  (** Entry j ≠ m of a row is at most [max_others row m]. *)
  Lemma max_others_ge (row : list I.t) (m j : Z) :
    0 <= j -> (Z.to_nat j < length row)%nat -> j <> m -> I.to_Z (at_ row j) <= I.to_Z (max_others row m).
  Proof. intros Hj Hlt Hne. apply list_max_ge. now apply in_drop_at. Qed.

  (** ** The entrywise max of rows (P* ) *)

  Lemma fold_map2_imax (L : nat) : forall (ds : list (list I.t)) (d : list I.t),
    length d = L -> Forall (fun r => length r = L) ds ->
    length (fold_left (map2 imax) ds d) = L /\
    forall i r, (i < L)%nat -> In r (d :: ds) ->
      I.to_Z (nth i r I.zero) <= I.to_Z (nth i (fold_left (map2 imax) ds d) I.zero).
  Proof.
    induction ds as [|r0 ds IH]; intros d Hd Hds; simpl.
    - split; [exact Hd|]. intros i r _ [<-|[]]. lia.
    - inversion Hds as [|? ? Hr0 Hrest]; subst.
      assert (Hlen : length (map2 imax d r0) = length d) by (rewrite length_map2; lia).
      destruct (IH (map2 imax d r0) ltac:(lia) Hrest) as [Hl Hge]. split; [exact Hl|].
      intros i r Hi Hin.
      assert (Hmid : forall r', r' = d \/ r' = r0 ->
                I.to_Z (nth i r' I.zero) <= I.to_Z (nth i (map2 imax d r0) I.zero)).
      { intros r' Hr'. rewrite (nth_map2 imax d r0 i I.zero I.zero) by lia. rewrite imax_spec.
        destruct Hr' as [->| ->]; lia. }
      destruct Hin as [<-|[<-|Hin]].
      + eapply Z.le_trans; [apply Hmid; auto | apply Hge; [lia | now left]].
      + eapply Z.le_trans; [apply Hmid; auto | apply Hge; [lia | now left]].
      + apply Hge; [exact Hi | now right].
  Qed.

  (** P*[m, j] bounds PVOU[p, j] − PVOU[p, m] for every row p, and P*[m] has the rows' length. *)
  Lemma pstar_row_spec (P : list (list I.t)) (L : nat) (m : Z) :
    P <> [] -> Forall (fun r => length r = L) P ->
    length (pstar_row P m) = L /\
    forall row i, In row P -> (i < L)%nat ->
      I.to_Z (nth i row I.zero) - I.to_Z (at_ row m) <= I.to_Z (nth i (pstar_row P m) I.zero).
  Proof.
    intros Hne HP. unfold pstar_row.
    set (f := fun row : list I.t => map (fun x => I.sub x (at_ row m)) row).
    assert (Hf : Forall (fun r => length r = L) (map f P)).
    { apply Forall_map. eapply Forall_impl; [|exact HP]. intros r Hr. unfold f. now rewrite map_length. }
    assert (Hnth : forall row i, (i < length row)%nat ->
              I.to_Z (nth i (f row) I.zero) = I.to_Z (nth i row I.zero) - I.to_Z (at_ row m)).
    { intros row i Hi. unfold f. rewrite (nth_indep _ I.zero (I.sub I.zero (at_ row m))) by (rewrite map_length; lia).
      rewrite (map_nth (fun x => I.sub x (at_ row m)) row I.zero i), I.spec_sub. reflexivity. }
    destruct P as [|r0 P]; [contradiction|]. simpl map. cbv iota beta.
    simpl in Hf. apply Forall_cons_iff in Hf as [Hr0 Hrest].
    destruct (fold_map2_imax L (map f P) (f r0) Hr0 Hrest) as [Hl Hge]. split; [exact Hl|].
    intros row i Hin Hi.
    rewrite Forall_forall in HP. specialize (HP row Hin).
    rewrite <- Hnth by lia. apply Hge; [exact Hi|].
    change (f r0 :: map f P) with (map f (r0 :: P)). now apply in_map.
  Qed.

  (** ** Entries of [zseq] *)

  Lemma nth_zseq_from (k : Z) (c i : nat) (d : Z) : (i < c)%nat -> nth i (zseq_from k c) d = k + Z.of_nat i.
  Proof.
    revert k i. induction c as [|c IH]; intros k i Hi; [lia|]. destruct i as [|i]; simpl; [lia|].
    rewrite IH by lia. lia.
  Qed.

  Lemma length_zseq_from (k : Z) (c : nat) : length (zseq_from k c) = c.
  Proof. revert k. induction c as [|c IH]; intros k; simpl; auto. Qed.

  (** Entry [m] of [map f (zseq V)] is [f m]. *)
  Lemma nth_map_zseq {B : Type} (f : Z -> B) (V m : Z) (d : B) :
    0 <= m < V -> nth (Z.to_nat m) (map f (zseq V)) d = f m.
  Proof.
    intros Hm. unfold zseq. rewrite (nth_indep _ d (f 0)) by (rewrite map_length, length_zseq_from; lia).
    rewrite map_nth, nth_zseq_from by lia. f_equal. lia.
  Qed.

  (** ** Shapes *)

  Lemma scale_shape (a : Mx.mat) (e : Z) (r c : nat) :
    rows_shape (Matrices.rows a) r c -> rows_shape (Mx.scale a e) r c.
  Proof.
    intros [Hr Hc]. unfold Mx.scale. split; [now rewrite map_length|].
    apply Forall_map. eapply Forall_impl; [|exact Hc]. intros row H. now rewrite map_length.
  Qed.

  (** The derived rows have the shapes of the exact matrices they scale. *)
  Lemma derive_shape (M : exact) (V n : Z) :
    rows_shape (Matrices.rows (eupu M)) (Z.to_nat V) (Z.to_nat V) ->
    rows_shape (Matrices.rows (evou M)) (Z.to_nat V) (Z.to_nat V) ->
    rows_shape (Matrices.rows (pvou M)) (Z.to_nat n) (Z.to_nat V) ->
    let D := derive M V n in
    rows_shape (eupu_rows D) (Z.to_nat V) (Z.to_nat V) /\ rows_shape (evou_rows D) (Z.to_nat V) (Z.to_nat V) /\
    rows_shape (pvou_rows D) (Z.to_nat n) (Z.to_nat V).
  Proof. intros HA HB HP. simpl. split; [|split]; apply scale_shape; assumption. Qed.

  (** ** N ≤ U *)

  Definition row_at (l : list (list I.t)) (i : Z) : list I.t := nth (Z.to_nat i) l [].

  (** N_{p,j} at exponent [d_e] from the derived rows A = EUPU, B = EVOU, P = PVOU. *)
  Definition N_of (D : derived) (q m t p j : Z) : Z :=
    (I.to_Z (at_ (row_at (eupu_rows D) q) j) - I.to_Z (at_ (row_at (eupu_rows D) q) m)) +
    (I.to_Z (at_ (row_at (evou_rows D) t) j) - I.to_Z (at_ (row_at (evou_rows D) t) m)) +
    (I.to_Z (at_ (row_at (pvou_rows D) p) j) - I.to_Z (at_ (row_at (pvou_rows D) p) m)).

  Lemma in_row_at (l : list (list I.t)) (i : Z) : 0 <= i -> (Z.to_nat i < length l)%nat -> In (row_at l i) l.
  Proof. intros Hi Hlt. unfold row_at. now apply nth_In. Qed.

  (** The two halves of U as the rule reads them. *)
  Lemma estar_entry (M : exact) (V n q m : Z) :
    rows_shape (eupu_rows (derive M V n)) (Z.to_nat V) (Z.to_nat V) -> 0 <= q < V -> 0 <= m < V ->
    nth (Z.to_nat m) (row_at (estar (derive M V n)) q) I.zero =
    I.sub (max_others (row_at (eupu_rows (derive M V n)) q) m) (at_ (row_at (eupu_rows (derive M V n)) q) m).
  Proof.
    intros [HA _] Hq Hm. unfold row_at. simpl estar. simpl eupu_rows in *.
    rewrite (nth_indep _ [] (map (fun m0 => I.sub (max_others [] m0) (at_ [] m0)) (zseq V)))
      by (rewrite map_length; lia).
    rewrite (map_nth (fun row => map (fun m0 => I.sub (max_others row m0) (at_ row m0)) (zseq V)) _ [] (Z.to_nat q)).
    set (r := nth (Z.to_nat q) _ []).
    exact (nth_map_zseq (fun m0 => I.sub (max_others r m0) (at_ r m0)) V m I.zero Hm).
  Qed.

  Lemma vstar_entry (M : exact) (V n m t : Z) :
    rows_shape (evou_rows (derive M V n)) (Z.to_nat V) (Z.to_nat V) -> 0 <= m < V -> 0 <= t < V ->
    let D := derive M V n in
    nth (Z.to_nat t) (row_at (vstar D) m) I.zero =
    I.sub (max_others (map2 I.add (row_at (evou_rows D) t) (pstar_row (pvou_rows D) m)) m)
          (at_ (row_at (evou_rows D) t) m).
  Proof.
    intros [HB _] Hm Ht D. unfold row_at. subst D. simpl vstar. simpl evou_rows in *. simpl pvou_rows.
    set (B := Mx.scale (evou M) _) in *. set (P := Mx.scale (pvou M) _).
    set (ps := map (pstar_row P) (zseq V)).
    assert (Hz : length (zseq V) = Z.to_nat V) by (unfold zseq; now rewrite length_zseq_from).
    assert (Hps : length ps = Z.to_nat V) by (unfold ps; now rewrite map_length).
    rewrite (nth_map2 _ (zseq V) ps (Z.to_nat m) 0 []) by lia. cbv beta.
    assert (E1 : nth (Z.to_nat m) (zseq V) 0 = m) by (unfold zseq; rewrite nth_zseq_from by lia; lia).
    assert (E2 : nth (Z.to_nat m) ps [] = pstar_row P m).
    { unfold ps. rewrite <- E1 at 2. rewrite (nth_indep _ [] (pstar_row P 0)) by (rewrite map_length; lia).
      apply map_nth. }
    rewrite E1, E2.
    set (F := fun row => I.sub (max_others (map2 I.add row (pstar_row P m)) m) (at_ row m)).
    rewrite (nth_indep _ I.zero (F [])) by (rewrite map_length; lia).
    apply (map_nth F B [] (Z.to_nat t)).
  Qed.

  (** Entry (i, j) of a table of rows built as [mk_rule] builds them is [nth j (nth i l)]. *)
  Lemma get2_rows (l : list (list I.t)) (i j : Z) :
    0 <= i -> 0 <= j -> get2 (of_list (map of_list l)) i j = nth (Z.to_nat j) (row_at l i) I.zero.
  Proof.
    intros Hi Hj. unfold get2, row_at. rewrite get_of_list by exact Hi.
    replace (nth (Z.to_nat i) (map of_list l) empty) with (of_list (nth (Z.to_nat i) l []))
      by (symmetry; exact (map_nth of_list l [] (Z.to_nat i))).
    now rewrite get_of_list.
  Qed.

  (** U as [U_of] computes it, from the rule formed by [mk_rule]. *)
  Lemma U_of_spec (M : exact) (V n : Z) o1 o2 (q m t : Z) :
    rows_shape (eupu_rows (derive M V n)) (Z.to_nat V) (Z.to_nat V) ->
    rows_shape (evou_rows (derive M V n)) (Z.to_nat V) (Z.to_nat V) ->
    0 <= q < V -> 0 <= m < V -> 0 <= t < V ->
    let D := derive M V n in
    I.to_Z (U_of (mk_rule V n D o1 o2) q m t) =
    (I.to_Z (max_others (row_at (eupu_rows D) q) m) - I.to_Z (at_ (row_at (eupu_rows D) q) m)) +
    (I.to_Z (max_others (map2 I.add (row_at (evou_rows D) t) (pstar_row (pvou_rows D) m)) m)
     - I.to_Z (at_ (row_at (evou_rows D) t) m)).
  Proof.
    intros HA HB Hq Hm Ht D. unfold U_of.
    change (rl_estar (mk_rule V n D o1 o2)) with (of_list (map of_list (estar D))).
    change (rl_vstar (mk_rule V n D o1 o2)) with (of_list (map of_list (vstar D))).
    rewrite !get2_rows by lia. subst D.
    rewrite estar_entry, vstar_entry by assumption.
    rewrite I.spec_add, !I.spec_sub. reflexivity.
  Qed.

  (** Coq-plan lemma 5: N_{p,j} ≤ U[q, m, t] for every j ≠ m (all below V, p below n). *)
  Theorem N_le_U (M : exact) (V n : Z) o1 o2 (q m t p j : Z) :
    let D := derive M V n in
    rows_shape (eupu_rows D) (Z.to_nat V) (Z.to_nat V) -> rows_shape (evou_rows D) (Z.to_nat V) (Z.to_nat V) ->
    rows_shape (pvou_rows D) (Z.to_nat n) (Z.to_nat V) ->
    0 <= q < V -> 0 <= m < V -> 0 <= t < V -> 0 <= p < n -> 0 <= j < V -> j <> m ->
    N_of D q m t p j <= I.to_Z (U_of (mk_rule V n D o1 o2) q m t).
  Proof.
    intros D HA HB HP Hq Hm Ht Hp Hj Hne.
    unfold D in *. clear D. rewrite U_of_spec by assumption. set (D := derive M V n) in *. unfold N_of.
    destruct HA as [HAl HAr]. destruct HB as [HBl HBr]. destruct HP as [HPl HPr].
    set (a := row_at (eupu_rows D) q). set (b := row_at (evou_rows D) t).
    set (P := pvou_rows D) in *. set (c := row_at P p).
    assert (Ha : length a = Z.to_nat V)
      by (rewrite Forall_forall in HAr; apply HAr, in_row_at; lia).
    assert (Hb : length b = Z.to_nat V)
      by (rewrite Forall_forall in HBr; apply HBr, in_row_at; lia).
    assert (Hc : In c P) by (apply in_row_at; lia).
    assert (HPne : P <> []) by (intros E; rewrite E in Hc; destruct Hc).
    destruct (pstar_row_spec P (Z.to_nat V) m HPne HPr) as [Hpl Hpge].
    (* E*: EUPU[q, j] ≤ max_{j' ≠ m} EUPU[q, j'] *)
    pose proof (max_others_ge a m j ltac:(lia) ltac:(lia) Hne) as HE.
    (* P*: PVOU[p, j] − PVOU[p, m] ≤ P*[m, j] *)
    pose proof (Hpge c (Z.to_nat j) Hc ltac:(lia)) as HPs.
    (* V*: EVOU[t, j] + P*[m, j] ≤ max_{j' ≠ m} (EVOU[t, j'] + P*[m, j']) *)
    set (s := map2 I.add b (pstar_row P m)).
    assert (Hs : length s = Z.to_nat V) by (unfold s; rewrite length_map2; lia).
    pose proof (max_others_ge s m j ltac:(lia) ltac:(lia) Hne) as HV.
    unfold at_ at 1 in HV. unfold s in HV.
    rewrite (nth_map2 I.add b (pstar_row P m) (Z.to_nat j) I.zero I.zero) in HV by lia.
    rewrite I.spec_add in HV. unfold at_ in *. fold s in HV. lia.
  Qed.

End UBound.
