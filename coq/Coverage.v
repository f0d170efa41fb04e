(** What the checker counts for the cubic cases (docs/certificate.md §4.3, §4.4, §9; coq-plan lemma 8):
    [covered] = Σ_entries C(n−1, c)·|G|^c, with the numbers of [Counting.v].

    - [pascal_spec]: the checker's Pascal row is [binom];
    - [G_size_spec]: its |G| ([countZ] over 0..m−1) is [Counting.gsize m G] of the token test [Gnat];
    - [keys_table_get]: the keys the checker looks up for an entry are [keys_row X q m] of the entry's
      own (q, m) — q·V + m determines (q, m) when 0 ≤ m < V;
    - [covered_spec]: the sum, as [Counting.cubic_lower_bound] states it. *)
From Coq Require Import ZArith Lia List FMapPositive.
From MechProof Require Import Int Table Arith Matrices Inputs Cubic Cert Statement NatCounts Counting UBound.
Import ListNotations.
Local Open Scope Z_scope.

Module Coverage (I : INT) (Import K : CHECK I).
  Module UB := UBound I K.

  (** ** Pascal's row *)

  Lemma pascal_spec (k : nat) :
    length (pascal k) = S k /\ forall c, I.to_Z (nth c (pascal k) I.zero) = Z.of_nat (binom k c).
  Proof.
    induction k as [|k [Hl IH]].
    - split; [reflexivity|]. intros [|[|c]]; simpl; rewrite ?I.spec_1, ?I.spec_0; reflexivity.
    - assert (Hrow : pascal (S k) = map2 I.add (I.zero :: pascal k) (pascal k ++ [I.zero])) by reflexivity.
      rewrite Hrow. split.
      + rewrite length_map2, app_length. cbn [length]. lia.
      + intros c. destruct (Nat.lt_ge_cases c (S (S k))) as [Hc|Hc].
        * rewrite (nth_map2 I.add _ _ c I.zero I.zero) by (cbn [length]; rewrite ?app_length; cbn [length]; lia).
          rewrite I.spec_add. destruct c as [|c].
          -- simpl. rewrite I.spec_0, app_nth1 by lia. rewrite IH, binom_0_r. destruct k; reflexivity.
          -- simpl nth at 1. rewrite IH. rewrite binom_pascal, Nat2Z.inj_add. f_equal.
             destruct (Nat.lt_ge_cases (S c) (S k)) as [H|H].
             ++ rewrite app_nth1 by lia. apply IH.
             ++ rewrite app_nth2 by lia. replace (S c - length (pascal k))%nat with O by lia.
                simpl. rewrite I.spec_0, binom_small by lia. reflexivity.
        * rewrite nth_overflow by (rewrite length_map2, app_length; cbn [length]; lia).
          rewrite I.spec_0, binom_small by lia. reflexivity.
  Qed.

  Lemma ipow_spec (b : I.t) (k : nat) : I.to_Z (ipow b k) = I.to_Z b ^ Z.of_nat k.
  Proof.
    induction k as [|k IH]; unfold ipow in *; simpl Nat.iter; [now rewrite I.spec_1|].
    rewrite I.spec_mul, IH, Nat2Z.inj_succ, Z.pow_succ_r by lia. ring.
  Qed.

  (** ** |G| *)

  (** The token set of an entry, as a test on natural numbers. *)
  Definition Gnat (ks : table (I.t * bool)) (m kp kn : Z) (k : nat) : bool := in_G ks m kp kn (Z.of_nat k).

  Lemma Gnat_below (ks : table (I.t * bool)) (m kp kn : Z) (k : nat) :
    Gnat ks m kp kn k = true -> (k < Z.to_nat m)%nat.
  Proof.
    unfold Gnat, in_G. intros H. apply Bool.andb_true_iff in H as [H _].
    apply Bool.andb_true_iff in H as [_ H]. apply Z.ltb_lt in H. lia.
  Qed.

  Lemma countZ_spec {A : Type} (f : A -> bool) (l : list A) : countZ f l = Z.of_nat (length (filter f l)).
  Proof.
    unfold countZ. assert (H : forall acc, fold_left (fun n x => if f x then Z.succ n else n) l acc
                                         = acc + Z.of_nat (length (filter f l))).
    { induction l as [|x l IH]; intros acc; simpl; [lia|]. rewrite IH. destruct (f x); simpl; lia. }
    rewrite H. lia.
  Qed.

  Lemma zseq_from_seq (k : nat) (c : nat) : zseq_from (Z.of_nat k) c = map Z.of_nat (seq k c).
  Proof.
    revert k. induction c as [|c IH]; intros k; simpl; [reflexivity|].
    rewrite <- Nat2Z.inj_succ, IH. reflexivity.
  Qed.

  Lemma G_size_spec (ks : table (I.t * bool)) (m kp kn : Z) :
    G_size ks m kp kn = Z.of_nat (gsize (Z.to_nat m) (Gnat ks m kp kn)).
  Proof.
    unfold G_size, gsize, zseq. rewrite countZ_spec. f_equal.
    change 0 with (Z.of_nat 0). rewrite zseq_from_seq. unfold Gnat.
    induction (seq 0 (Z.to_nat m)) as [|x l IH]; simpl; [reflexivity|].
    destruct (in_G ks m kp kn (Z.of_nat x)); simpl; congruence.
  Qed.

  (** ** The key table *)

  Lemma tkey_inj (i j : Z) (p : positive) : tkey i = Some p -> tkey j = Some p -> i = j.
  Proof.
    destruct i as [|a|a], j as [|b|b]; simpl; intros H1 H2; try discriminate; rewrite <- H2 in H1;
      inversion H1 as [E]; try reflexivity.
    - destruct b; discriminate.
    - destruct a; discriminate.
    - apply Pos.succ_inj in E. now subst.
  Qed.

  Lemma find_set {A : Type} (t : table A) (i j : Z) (x : A) :
    0 <= i -> Table.find (set t i x) j = if Z.eqb i j then Some x else Table.find t j.
  Proof.
    intros Hi. unfold Table.find, set. destruct (tkey i) as [p|] eqn:Ei.
    - destruct (Z.eqb_spec i j) as [<-|Hne]; [rewrite Ei; apply PositiveMap.gss|].
      destruct (tkey j) as [p'|] eqn:Ej; [|reflexivity].
      apply PositiveMap.gso. intros E. subst p'. apply Hne. exact (tkey_inj i j p Ei Ej).
    - destruct i; [discriminate | discriminate | lia].
  Qed.

  Definition qm_key (V : Z) (e : case_entry) : Z := ce_q e * V + ce_m e.

  Lemma qm_key_inj (V : Z) (e f : case_entry) :
    0 <= ce_m e < V -> 0 <= ce_m f < V -> qm_key V e = qm_key V f -> ce_q e = ce_q f /\ ce_m e = ce_m f.
  Proof.
    unfold qm_key. intros He Hf E.
    assert (Hq : ce_q e = ce_q f).
    { assert (H1 : (ce_q e * V + ce_m e) / V = ce_q e) by (rewrite Z.div_add_l, Z.div_small by lia; lia).
      assert (H2 : (ce_q f * V + ce_m f) / V = ce_q f) by (rewrite Z.div_add_l, Z.div_small by lia; lia).
      congruence. }
    split; [exact Hq | lia].
  Qed.

  (** For an entry with 0 ≤ q and 0 ≤ m < V (as every well-formed one has), the checker's key table holds
      the keys of its own (q, m). *)
  Lemma keys_table_get (X : ctx) (V : Z) (es : list case_entry) (e : case_entry) :
    (forall f, In f es -> 0 <= ce_q f /\ 0 <= ce_m f < V) -> In e es ->
    get (keys_table X V es) (qm_key V e) empty = of_list (keys_row X (ce_q e) (ce_m e)).
  Proof.
    intros Hwf He. unfold keys_table.
    set (step := fun t (f : case_entry) =>
      match Table.find t (ce_q f * V + ce_m f) with
      | Some _ => t
      | None => set t (ce_q f * V + ce_m f) (of_list (keys_row X (ce_q f) (ce_m f)))
      end).
    (* the invariant: a stored key is the key of a processed entry, with its keys; every processed
       entry's key is stored *)
    set (Inv := fun (done : list case_entry) (t : table (table (I.t * bool))) =>
      (forall k v, Table.find t k = Some v ->
         exists f, In f done /\ k = qm_key V f /\ v = of_list (keys_row X (ce_q f) (ce_m f))) /\
      (forall f, In f done -> Table.find t (qm_key V f) <> None)).
    assert (Hstep : forall done rest t, (forall f, In f (done ++ rest) -> 0 <= ce_q f /\ 0 <= ce_m f < V) ->
              Inv done t -> Inv (done ++ rest) (fold_left step rest t)).
    { intros done rest. revert done. induction rest as [|f rest IH]; intros done t Hall [H1 H2]; simpl.
      - rewrite app_nil_r. split; assumption.
      - replace (done ++ f :: rest) with ((done ++ [f]) ++ rest) in * by (rewrite <- app_assoc; reflexivity).
        apply IH; [exact Hall|].
        assert (Hf : 0 <= ce_q f /\ 0 <= ce_m f < V) by (apply Hall, in_or_app; left; apply in_or_app; right; now left).
        assert (Hk : 0 <= ce_q f * V + ce_m f) by nia.
        unfold step. destruct (Table.find t (ce_q f * V + ce_m f)) as [v|] eqn:Ef; split.
        + intros k v' Hkv. destruct (H1 k v' Hkv) as (g & Hg & Eg). exists g.
          split; [apply in_or_app; now left | exact Eg].
        + intros g Hg. apply in_app_or in Hg as [Hg|[<-|[]]]; [now apply H2|]. unfold qm_key. now rewrite Ef.
        + intros k v' Hkv. rewrite find_set in Hkv by exact Hk.
          destruct (Z.eqb_spec (ce_q f * V + ce_m f) k) as [<-|Hne].
          * inversion Hkv. exists f. split; [apply in_or_app; right; now left | split; reflexivity].
          * destruct (H1 k v' Hkv) as (g & Hg & Eg). exists g. split; [apply in_or_app; now left | exact Eg].
        + intros g Hg. rewrite find_set by exact Hk. unfold qm_key.
          destruct (Z.eqb_spec (ce_q f * V + ce_m f) (ce_q g * V + ce_m g)); [discriminate|].
          apply in_app_or in Hg as [Hg|[<-|[]]]; [now apply H2 | contradiction]. }
    destruct (Hstep [] es empty Hwf) as [H1 H2].
    { split; [intros k v Hkv; unfold Table.find in Hkv; destruct (tkey k);
                [rewrite PositiveMap.gempty in Hkv|]; discriminate
             | intros f []]. }
    fold step. specialize (H2 e He). unfold get.
    destruct (Table.find (fold_left step es empty) (qm_key V e)) as [v|] eqn:Ev; [|contradiction].
    destruct (H1 _ v Ev) as (f & Hf & Ek & ->).
    destruct (qm_key_inj V e f (proj2 (Hwf e He)) (proj2 (Hwf f Hf)) Ek) as [-> ->]. reflexivity.
  Qed.

  (** ** The count *)

  (** What an accepted [check_cases] consists of. *)
  Lemma check_cases_some (X : ctx) (V n : Z) (es : list case_entry) (cr : cases_result I.t) :
    check_cases X V n es = Some cr ->
    forallb (case_wf V n) es = true /\ case_table V n es empty = Some (case_tab cr) /\
    forallb (case_ok X n) es = true /\ key_tab cr = keys_table X V es /\
    covered cr = isum (map (case_count X V (keys_table X V es)) es).
  Proof.
    unfold check_cases. destruct (forallb (case_wf V n) es) eqn:Hw; [|discriminate].
    destruct (case_table V n es empty) as [tab|] eqn:Ht; [|discriminate].
    destruct (forallb (case_ok X n) es) eqn:Ho; [|discriminate].
    intros H. inversion H. subst. simpl. repeat split; reflexivity.
  Qed.

  Lemma case_wf_spec (V n : Z) (e : case_entry) :
    case_wf V n e = true ->
    0 <= ce_q e <= ce_m e /\ ce_m e < V /\ 0 <= ce_c e /\ ce_c e <= (if ce_q e =? ce_m e then n - 1 else n - 2).
  Proof. unfold case_wf. intros H. rewrite !Bool.andb_true_iff, !Z.leb_le, !Z.ltb_lt in H. lia. Qed.

  Lemma isum_spec {A : Type} (f : A -> I.t) (g : A -> nat) (l : list A) :
    (forall x, In x l -> I.to_Z (f x) = Z.of_nat (g x)) -> I.to_Z (isum (map f l)) = Z.of_nat (nsum g l).
  Proof.
    intros H. unfold isum.
    assert (Hacc : forall acc, (forall x, In x l -> I.to_Z (f x) = Z.of_nat (g x)) ->
              I.to_Z (fold_left I.add (map f l) acc) = I.to_Z acc + Z.of_nat (nsum g l)).
    { clear H. induction l as [|x l IH]; intros acc Hl; simpl; [lia|].
      rewrite IH by (intros y Hy; apply Hl; now right). rewrite I.spec_add, (Hl x (or_introl eq_refl)).
      unfold nsum; simpl; fold (nsum g l). lia. }
    rewrite Hacc by exact H. rewrite I.spec_0. lia.
  Qed.

  (** The token set of an entry, as the checker tests it (its (q, m)'s keys, its boundaries). *)
  Definition Gof (X : ctx) (e : case_entry) : nat -> bool :=
    Gnat (of_list (keys_row X (ce_q e) (ce_m e))) (ce_m e) (ce_kp e) (ce_kn e).

  (** Coq-plan lemma 8 (the count): the checker's [covered] is Σ_entries C(n−1, c)·|G|^c. *)
  Theorem covered_spec (X : ctx) (V n : Z) (es : list case_entry) (cr : cases_result I.t) :
    1 <= n -> cx_binom X = of_list (pascal (Z.to_nat (n - 1))) ->
    check_cases X V n es = Some cr ->
    I.to_Z (covered cr) =
    Z.of_nat (nsum (fun e => binom (Z.to_nat n - 1) (Z.to_nat (ce_c e)) *
                             gsize (Z.to_nat (ce_m e)) (Gof X e) ^ Z.to_nat (ce_c e)) es)%nat.
  Proof.
    intros Hn Hb Hc. destruct (check_cases_some X V n es cr Hc) as (Hw & _ & _ & _ & ->).
    apply isum_spec. intros e He.
    pose proof (case_wf_spec V n e (proj1 (forallb_forall _ _) Hw e He)) as Hwf.
    assert (Hall : forall f, In f es -> 0 <= ce_q f /\ 0 <= ce_m f < V).
    { intros f Hf. pose proof (case_wf_spec V n f (proj1 (forallb_forall _ _) Hw f Hf)). lia. }
    destruct e as [q m c kp kn]. simpl in *. unfold case_count.
    destruct (Z.eqb_spec c 0) as [->|Hc0].
    - rewrite I.spec_1. simpl. rewrite binom_0_r. reflexivity.
    - change (q * V + m) with (qm_key V {| ce_q := q; ce_m := m; ce_c := c; ce_kp := kp; ce_kn := kn |}).
      rewrite (keys_table_get X V es _ Hall He).
      rewrite I.spec_mul, ipow_spec, I.spec_of_Z, G_size_spec, Hb.
      rewrite get_of_list by (destruct Hwf as (_ & _ & H0 & _); exact H0).
      rewrite (proj2 (pascal_spec _)). unfold Gof. simpl.
      rewrite Nat2Z.inj_mul, Nat2Z.inj_pow. replace (Z.to_nat (n - 1)) with (Z.to_nat n - 1)%nat by lia. reflexivity.
  Qed.

End Coverage.
