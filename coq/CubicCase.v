(** A [cubic-prefix] case with c ≥ 1 proves every input it covers right (docs/certificate.md §4.3,
    §4.4; coq-plan lemma 6, the reduction to two placements).

    The facts about the model this file takes as Section hypotheses (they are the link from the
    checker's matrices to [Model.v], proven separately):
    - [tok_encl], [pos_encl]: the true factors tok[q, t] = exp(EQKE[q, t]/√d) and pos[q, p] =
      exp(EQKP[q, p]/√d) (any reals [tokR q t], [posR q p]) lie in the claimed intervals, whose lower
      ends are ≥ 0;
    - [order_sorted]: order[q] lists the non-query positions 0..n−2, the true pos[q, ·] non-decreasing
      along it;
    - [F_right]: Σ_p U[q, m, t_p]·tok[q, t_p]·pos[q, p] < 0 makes the input right (the logit difference
      as a weighted mean with weights tok·pos, coq-plan lemmas 1 and 2, with N ≤ U of [UBound.v]).

    The argument, in the order that makes it sound ([case_right]):
    (i) each non-max term, with the true weight: U(k)·tok_k·pos_p ≤ A_k·pos_p ≤ A*·pos_p ([Prefix]);
    (ii) the bound α·Y(S) + A*·(P − Y(S)) + γ is affine in the true mass Y(S) of the max slots S, so it
        is at most its larger value at the two sorted placements ([Placement.placement_affine_filter]);
    (iii) only then each placement's value is bounded by the claimed enclosures: the group terms
        T_max, T_q ([group_term_upper]) and max(A_kp·S⁺, A_kn·S⁻) ([Prefix.worst_part_le]).
    (ii) compares true values, which are monotone in the order; the claimed intervals need not be. *)
From Coq Require Import ZArith Reals Lra Lia List Permutation Sorted.
From MechProof Require Import Int Dval Table Arith Model Cert Matrices Inputs Cubic Statement
  RealSums BoxBound Placement NatCounts Counting DyadicSound UBound Prefix Coverage.
Import ListNotations.
Local Open Scope R_scope.

Module CubicCase (I : INT) (Import K : CHECK I).
  Module Import PF := Prefix I K.
  Import PF.DS.
  Module CV := Coverage I K.

  (** ** A group term bounds its group's true sum (docs §4.3) *)
  Lemma group_term_upper (X : ctx) (q t : Z) (u : dy) (slots : list Z) (tv : R) (pv : Z -> R) :
    0 <= val (fst (tok_of X q t)) <= tv -> tv <= val (snd (tok_of X q t)) ->
    (forall p, In p slots -> 0 <= val (fst (pos_of X q p)) <= pv p /\ pv p <= val (snd (pos_of X q p))) ->
    rsum (fun p => val u * (tv * pv p)) slots <= val (group_term X q t u slots).
  Proof.
    intros Ht Hth Hp. destruct slots as [|p0 rest].
    - rewrite rsum_nil. unfold group_term. rewrite val_zero. lra.
    - unfold group_term. rewrite !val_mul, val_sum, map_map, <- rsum_fold_right_map.
      assert (Hb : sign_ok (dy_nonneg u) (val u)).
      { unfold sign_ok. destruct (dy_nonneg u) eqn:E; [now apply dy_nonneg_iff | apply dy_nonneg_false in E; lra]. }
      pose proof (group_upper (dy_nonneg u) (val u) tv (val (fst (tok_of X q t))) (val (snd (tok_of X q t)))
                    pv (fun p => val (fst (pos_of X q p))) (fun p => val (snd (pos_of X q p))) (p0 :: rest)
                    Hb Ht Hth Hp) as H.
      destruct (dy_nonneg u); exact H.
  Qed.

  (** What [worst_ok] says of each placement, in real numbers. *)
  Lemma worst_ok_spec (X : ctx) (n q m c kp kn : Z) :
    negb ((kp =? -1)%Z && (kn =? -1)%Z) = true ->
    worst_ok (fixed X n q m c) (parts X q m kp kn) = true ->
    forall maxs others, In (maxs, others) (placements X n q c) ->
    let tmax := group_term X q m (U X q m m) (if (q =? m)%Z then maxs ++ [(n - 1)%Z] else maxs) in
    let base := if (q =? m)%Z then tmax else dy_add tmax (group_term X q q (U X q m q) [(n - 1)%Z]) in
    val base + val (part_max (parts X q m kp kn) (dy_sum (map (fun p => snd (pos_of X q p)) others))
                                                (dy_sum (map (fun p => fst (pos_of X q p)) others))) < 0.
  Proof.
    intros Hne Hok maxs others Hin tmax base. unfold worst_ok in Hok. rewrite forallb_forall in Hok.
    assert (Hparts : parts X q m kp kn <> []).
    { unfold parts. destruct (Z.eqb_spec kp (-1)), (Z.eqb_spec kn (-1)); simpl; try discriminate. }
    specialize (Hok _ (in_map _ _ _ Hin)). cbv beta iota in Hok. fold tmax base in Hok.
    destruct (parts X q m kp kn) as [|p0 ps] eqn:Ep; [contradiction|].
    apply dy_neg_iff in Hok. rewrite val_add in Hok. exact Hok.
  Qed.

  (** ** The case rule, for the inputs of one model *)
  Section Case.
  Variable W : weights.
  Local Notation V := (d_vocab (cfg W)).
  Local Notation n := (n_ctx (cfg W)).
  Variable X : ctx.
  (** the true factors tok[q, t] and pos[q, p] of the weights *)
  Variables tokR posR : Z -> Z -> R.

  Hypothesis tok_encl : forall q t, (0 <= q < Z.of_nat V)%Z -> (0 <= t < Z.of_nat V)%Z ->
    0 <= val (fst (tok_of X q t)) <= tokR q t /\ tokR q t <= val (snd (tok_of X q t)).
  Hypothesis pos_encl : forall q p, (0 <= q < Z.of_nat V)%Z -> (0 <= p < Z.of_nat n)%Z ->
    0 <= val (fst (pos_of X q p)) <= posR q p /\ posR q p <= val (snd (pos_of X q p)).
  Hypothesis order_sorted : forall q, (0 <= q < Z.of_nat V)%Z ->
    Permutation (zseq (Z.of_nat n - 1)) (get (cx_order X) q []) /\
    Sorted (fun p r => posR q p <= posR q r) (get (cx_order X) q []).
  Hypothesis F_right : forall x, (x < V ^ n)%nat ->
    let q := Z.of_nat (token W x (n - 1)) in
    let m := Z.of_nat (max_token W x) in
    rsum (fun p => val (U X q m (Z.of_nat (token W x p))) *
                   (tokR q (Z.of_nat (token W x p)) * posR q (Z.of_nat p))) (seq 0 n) < 0 ->
    right W x.

  Lemma tokens_token (x : nat) : tokens V n x = map (token W x) (seq 0 n).
  Proof. reflexivity. Qed.

  Lemma NoDup_map_of_nat (l : list nat) : NoDup l -> NoDup (map Z.of_nat l).
  Proof.
    induction l as [|a l IH]; intros H; simpl; constructor.
    - inversion H; subst. intros Hin. apply in_map_iff in Hin as (b & E & Hb). apply Nat2Z.inj in E. now subst.
    - inversion H; auto.
  Qed.

  Lemma fold_max_in (l : list nat) (y : nat) : In y l -> (y <= fold_right Nat.max 0 l)%nat.
  Proof. induction l as [|a l IH]; simpl; [intros []|]. intros [<-|H]; [lia | specialize (IH H); lia]. Qed.

  Lemma in_firstn_skipn {A : Type} (k : nat) (l : list A) (y : A) :
    (In y (firstn k l) -> In y l) /\ (In y (skipn k l) -> In y l).
  Proof. split; intros H; rewrite <- (firstn_skipn k l); apply in_or_app; auto. Qed.


  Lemma tok_ok_below (q m : Z) : (0 <= q < Z.of_nat V)%Z -> (m <= Z.of_nat V)%Z ->
    forall k, (0 <= k < m)%Z -> tok_ok X q k.
  Proof. intros Hq Hm k Hk. destruct (tok_encl q k Hq ltac:(lia)) as [H1 H2]. unfold tok_ok. split; lra. Qed.

  Lemma sums_enclose (q : Z) (ps : list Z) : (0 <= q < Z.of_nat V)%Z ->
    (forall p, In p ps -> (0 <= p < Z.of_nat n)%Z) ->
    val (dy_sum (map (fun p => fst (pos_of X q p)) ps)) <= rsum (posR q) ps <=
    val (dy_sum (map (fun p => snd (pos_of X q p)) ps)).
  Proof.
    intros Hq Hps. rewrite !val_sum, !map_map, <- !rsum_fold_right_map.
    split; apply rsum_le; intros p Hp; destruct (pos_encl q p Hq (Hps p Hp)); lra.
  Qed.

  (** (iii): at one placement, the value of the bound with true pos is below the checker's total, and so
      negative. *)
  Lemma placement_neg (q m c kp kn : Z) (maxs others : list Z) :
    (1 <= n)%nat -> (0 <= q <= m)%Z -> (m < Z.of_nat V)%Z ->
    negb ((kp =? -1)%Z && (kn =? -1)%Z) = true ->
    boundary_ok X q m kp true = true -> boundary_ok X q m kn false = true ->
    worst_ok (fixed X (Z.of_nat n) q m c) (parts X q m kp kn) = true ->
    In (maxs, others) (placements X (Z.of_nat n) q c) ->
    (forall p, In p (maxs ++ others) -> (0 <= p < Z.of_nat n - 1)%Z) ->
    val (U X q m m) * tokR q m * rsum (posR q) maxs + Aval X q m (worst kp kn) * rsum (posR q) others +
      val (U X q m q) * (tokR q q * posR q (Z.of_nat n - 1)) < 0.
  Proof.
    intros Hn Hq HmV Hne Hkp Hkn Hworst Hpl Hin.
    pose proof (worst_ok_spec X (Z.of_nat n) q m c kp kn Hne Hworst maxs others Hpl) as Hneg. cbv zeta in Hneg.
    assert (Hmaxs : forall p, In p maxs -> (0 <= p < Z.of_nat n)%Z)
      by (intros p Hp; specialize (Hin p (in_or_app _ _ _ (or_introl Hp))); lia).
    assert (Hothers : forall p, In p others -> (0 <= p < Z.of_nat n)%Z)
      by (intros p Hp; specialize (Hin p (in_or_app _ _ _ (or_intror Hp))); lia).
    assert (Hlast : (0 <= Z.of_nat n - 1 < Z.of_nat n)%Z) by lia.
    assert (HmV' : (0 <= m < Z.of_nat V)%Z) by lia.
    assert (HqV : (0 <= q < Z.of_nat V)%Z) by lia.
    (* (b): the non-max part *)
    pose proof (worst_part_le X q m kp kn (dy_sum (map (fun p => snd (pos_of X q p)) others))
                  (dy_sum (map (fun p => fst (pos_of X q p)) others)) (rsum (posR q) others)
                  (tok_ok_below q m HqV ltac:(lia)) Hkp Hkn Hne (sums_enclose q others HqV Hothers)) as Hb.
    (* (a): the max group and the query group *)
    set (Y := rsum (posR q) maxs) in *.
    assert (Hpos : forall p, In p (maxs ++ [(Z.of_nat n - 1)%Z]) ->
              0 <= val (fst (pos_of X q p)) <= posR q p /\ posR q p <= val (snd (pos_of X q p))).
    { intros p Hp. apply in_app_or in Hp as [Hp|[<-|[]]]; apply pos_encl; auto. }
    destruct (tok_encl q m HqV HmV') as [Htm1 Htm2].
    destruct (Z.eqb_spec q m) as [<-|Hqm].
    - pose proof (group_term_upper X q q (U X q q q) (maxs ++ [(Z.of_nat n - 1)%Z]) (tokR q q) (posR q)
                    Htm1 Htm2 Hpos) as Ha.
      rewrite rsum_app, rsum_one in Ha.
      assert (E : rsum (fun p => val (U X q q q) * (tokR q q * posR q p)) maxs = val (U X q q q) * tokR q q * Y)
        by (unfold Y; rewrite <- rsum_scal_l; apply rsum_ext; intros; ring).
      rewrite E in Ha. lra.
    - pose proof (group_term_upper X q m (U X q m m) maxs (tokR q m) (posR q) Htm1 Htm2
                    (fun p Hp => Hpos p (in_or_app _ _ _ (or_introl Hp)))) as Ha.
      destruct (tok_encl q q HqV HqV) as [Htq1 Htq2].
      pose proof (group_term_upper X q q (U X q m q) [(Z.of_nat n - 1)%Z] (tokR q q) (posR q) Htq1 Htq2
                    (fun p Hp => ltac:(destruct Hp as [<-|[]]; apply pos_encl; auto))) as Hq'.
      rewrite rsum_one in Hq'. rewrite val_add in Hneg.
      assert (E : rsum (fun p => val (U X q m m) * (tokR q m * posR q p)) maxs = val (U X q m m) * tokR q m * Y)
        by (unfold Y; rewrite <- rsum_scal_l; apply rsum_ext; intros; ring).
      rewrite E in Ha. lra.
  Qed.

  (** (i): a non-max term with the true weight is at most A_t times the true pos. *)
  Lemma term_le_A (q m t z : Z) :
    0 <= val (fst (tok_of X q t)) <= tokR q t -> tokR q t <= val (snd (tok_of X q t)) -> 0 <= posR q z ->
    val (U X q m t) * (tokR q t * posR q z) <= Aval X q m t * posR q z.
  Proof.
    intros Ht Hth Hp. unfold Aval, A. rewrite <- Rmult_assoc.
    apply Rmult_le_compat_r; [exact Hp|].
    destruct (dy_nonneg (U X q m t)) eqn:E; simpl; rewrite val_mul.
    - apply dy_nonneg_iff in E. apply Rmult_le_compat_l; lra.
    - apply dy_nonneg_false in E. apply Rmult_le_compat_neg_l; lra.
  Qed.

  (** Coq-plan lemma 6: a case (q, m, c ≥ 1) that the checker accepts covers only right inputs. *)
  Theorem case_right (e : case_entry) (x : nat) :
    case_wf (Z.of_nat V) (Z.of_nat n) e = true -> case_ok X (Z.of_nat n) e = true -> ce_c e <> 0%Z ->
    (x < V ^ n)%nat ->
    in_case (Z.to_nat (ce_q e)) (Z.to_nat (ce_m e)) (Z.to_nat (ce_c e)) (CV.Gof X e) (tokens V n x) = true ->
    right W x.
  Proof.
    intros Hwf Hok Hc0 Hx Hin.
    destruct (CV.case_wf_spec _ _ e Hwf) as (Hq & HmV & Hc & Hcn).
    destruct e as [q m c kp kn]. cbn [ce_q ce_m ce_c ce_kp ce_kn] in *.
    unfold case_ok in Hok. cbv beta iota in Hok. rewrite (proj2 (Z.eqb_neq c 0) Hc0) in Hok.
    rewrite !Bool.andb_true_iff in Hok. destruct Hok as [[[Hne Hkp] Hkn] Hworst].
    change ((if (kp =? -1)%Z then [] else [A X q m kp]) ++ (if (kn =? -1)%Z then [] else [A X q m kn]))
      with (parts X q m kp kn) in Hworst.
    assert (Hn2 : (2 <= n)%nat) by (destruct (Z.eqb q m); lia).
    set (L := (n - 1)%nat).
    set (tk := token W x).
    (* the input's case *)
    unfold in_case in Hin. rewrite !Bool.andb_true_iff, !Nat.eqb_eq in Hin.
    destruct Hin as [[[Hlast Hmax] Hcount] HG].
    assert (ET : tokens V n x = map tk (seq 0 L) ++ [tk L]).
    { rewrite tokens_token. replace n with (S L) at 1 by lia. now rewrite seq_S, map_app. }
    rewrite ET, removelast_last in Hcount, HG. rewrite ET, last_last in Hlast.
    assert (Hmx : max_token W x = Z.to_nat m) by exact Hmax.
    assert (Hle : forall p, (p < n)%nat -> (tk p <= Z.to_nat m)%nat).
    { intros p Hp. rewrite <- Hmx. unfold max_token. apply fold_max_in, in_map, in_seq. lia. }
    (* the max slots and the others, over the positions ps = 0..n−2 *)
    set (ps := zseq (Z.of_nat n - 1)).
    assert (Eps : ps = map Z.of_nat (seq 0 L)).
    { unfold ps, zseq. replace (Z.to_nat (Z.of_nat n - 1)) with L by lia. exact (CV.zseq_from_seq 0 L). }
    set (b := fun p : Z => Nat.eqb (tk (Z.to_nat p)) (Z.to_nat m)).
    set (ord := get (cx_order X) q []).
    destruct (order_sorted q ltac:(lia)) as [Hperm Hsort]. fold ord in Hperm, Hsort.
    assert (Hps_nd : NoDup ps) by (rewrite Eps; apply NoDup_map_of_nat, seq_NoDup).
    assert (Hps_len : length ps = L) by (rewrite Eps, map_length, seq_length; reflexivity).
    assert (Hnmax : length (filter b ps) = (L - Z.to_nat c)%nat).
    { rewrite Eps. 
      assert (E1 : length (filter b (map Z.of_nat (seq 0 L))) =
                   length (filter (fun t => t =? Z.to_nat m) (map tk (seq 0 L)))%nat).
      { rewrite !count_map. apply count_ext_in. intros p _. unfold b. now rewrite Nat2Z.id. }
      rewrite E1. pose proof (count_negb (fun t => t <? Z.to_nat m) (map tk (seq 0 L))) as E2.
      rewrite map_length, seq_length in E2.
      rewrite (count_ext_in (fun t => t =? Z.to_nat m) (fun t => negb (t <? Z.to_nat m))); [lia|].
      intros t Ht. apply in_map_iff in Ht as (p & <- & Hp). apply in_seq in Hp.
      pose proof (Hle p ltac:(lia)).
      destruct (Nat.eqb_spec (tk p) (Z.to_nat m)), (Nat.ltb_spec (tk p) (Z.to_nat m)); simpl; lia. }

    assert (HcL : (Z.to_nat c <= L)%nat) by (destruct (Z.eqb q m); lia).
    assert (Hord_len : length ord = (L - Z.to_nat c + Z.to_nat c)%nat)
      by (rewrite <- (Permutation_length Hperm); fold ps; rewrite Hps_len; lia).
    assert (Hord_in : forall p, In p ord -> (0 <= p < Z.of_nat n - 1)%Z).
    { intros p Hp. apply (Permutation_in _ (Permutation_sym Hperm)) in Hp. fold ps in Hp. rewrite Eps in Hp.
      apply in_map_iff in Hp as (k & <- & Hk). apply in_seq in Hk. lia. }
    assert (Hps_in : forall z, In z ps -> (0 <= z < Z.of_nat n - 1)%Z /\ exists k, z = Z.of_nat k /\ (k < L)%nat).
    { intros z Hz. rewrite Eps in Hz. apply in_map_iff in Hz as (k & <- & Hk). apply in_seq in Hk.
      split; [lia | exists k; split; [reflexivity | lia]]. }
    pose proof (placement_affine_filter Z.eq_dec (posR q) ps ord b (L - Z.to_nat c) (Z.to_nat c)
                  (val (U X q m m) * tokR q m) (Aval X q m (worst kp kn))
                  (val (U X q m q) * (tokR q q * posR q (Z.of_nat n - 1)))
                  Hsort Hps_nd Hperm Hord_len Hnmax) as Hplace.
    assert (Hpl : placements X (Z.of_nat n) q c =
                  [(firstn (L - Z.to_nat c) ord, skipn (L - Z.to_nat c) ord);
                   (skipn (Z.to_nat c) ord, firstn (Z.to_nat c) ord)]).
    { unfold placements. fold ord. replace (Z.to_nat (Z.of_nat n - 1 - c)) with (L - Z.to_nat c)%nat by lia.
      reflexivity. }
    pose proof (placement_neg q m c kp kn (firstn (L - Z.to_nat c) ord) (skipn (L - Z.to_nat c) ord)
                  ltac:(lia) Hq HmV Hne Hkp Hkn Hworst ltac:(rewrite Hpl; now left)
                  ltac:(rewrite firstn_skipn; exact Hord_in)) as Hlow.
    pose proof (placement_neg q m c kp kn (skipn (Z.to_nat c) ord) (firstn (Z.to_nat c) ord)
                  ltac:(lia) Hq HmV Hne Hkp Hkn Hworst ltac:(rewrite Hpl; right; now left)
                  ltac:(intros p Hp; apply Hord_in; apply in_app_or in Hp as [Hp|Hp];
                        [exact (proj2 (in_firstn_skipn _ _ _) Hp) | exact (proj1 (in_firstn_skipn _ _ _) Hp)]))
      as Hhigh.
    assert (Hmax2 : (Aval X q m (worst kp kn) * 0 <= 0)) by lra.
    (* F, split into the max slots, the others and the query *)
    apply (F_right x Hx). cbv zeta.
    change (token W x (n - 1)) with (tk L). change (token W x) with tk.
    rewrite Hlast, Hmx, !Z2Nat.id by lia.
    replace (seq 0 n) with (seq 0 L ++ [L]) by (rewrite <- seq_S; f_equal; lia).
    rewrite rsum_app, rsum_one, Hlast, Z2Nat.id by lia.
    replace (Z.of_nat L) with (Z.of_nat n - 1)%Z by lia.
    set (f := fun p : nat => val (U X q m (Z.of_nat (tk p))) * (tokR q (Z.of_nat (tk p)) * posR q (Z.of_nat p))).
    replace (rsum f (seq 0 L)) with (rsum (fun z => f (Z.to_nat z)) ps)
      by (rewrite Eps, rsum_map; apply rsum_ext; intros k; now rewrite Nat2Z.id).
    rewrite (rsum_filter_split _ b ps).
    assert (HY1 : rsum (fun z => f (Z.to_nat z)) (filter b ps) =
                  val (U X q m m) * tokR q m * rsum (posR q) (filter b ps)).
    { rewrite <- rsum_scal_l. apply rsum_ext_in. intros z Hz. apply filter_In in Hz as [Hz Hbz].
      unfold b in Hbz. apply Nat.eqb_eq in Hbz. destruct (Hps_in z Hz) as [Hz0 _].
      unfold f. rewrite Hbz, Z2Nat.id, Z2Nat.id by lia. ring. }
    assert (HY2 : rsum (fun z => f (Z.to_nat z)) (filter (fun z => negb (b z)) ps)
                  <= Aval X q m (worst kp kn) * rsum (posR q) (filter (fun z => negb (b z)) ps)).
    { rewrite <- rsum_scal_l. apply rsum_le. intros z Hz. apply filter_In in Hz as [Hz Hbz].
      unfold b in Hbz. apply Bool.negb_true_iff, Nat.eqb_neq in Hbz.
      destruct (Hps_in z Hz) as [Hz0 (k & -> & Hk)]. unfold f. rewrite Nat2Z.id in *.
      pose proof (Hle k ltac:(lia)) as Htk.
      assert (HtV : (0 <= Z.of_nat (tk k) < Z.of_nat V)%Z) by lia.
      destruct (tok_encl q (Z.of_nat (tk k)) ltac:(lia) HtV) as [Ht1 Ht2].
      destruct (pos_encl q (Z.of_nat k) ltac:(lia) ltac:(lia)) as [Hp1 Hp2].
      eapply Rle_trans; [apply term_le_A; [exact Ht1 | exact Ht2 | lra]|].
      apply Rmult_le_compat_r; [lra|].
      apply (A_le_worst X q m kp kn (Z.of_nat (tk k)) (tok_ok_below q m ltac:(lia) ltac:(lia)) Hkp Hkn).
      rewrite forallb_forall in HG. apply (HG (tk k)). apply filter_In. split.
      - apply in_map, in_seq. lia.
      - apply Nat.ltb_lt. lia. }
    rewrite HY1.
    pose proof (Rmax_lub_lt _ _ 0 Hlow Hhigh). lra.
  Qed.

  End Case.

End CubicCase.
