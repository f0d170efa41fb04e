(** The cubic cases of an accepted certificate, on the model (docs/certificate.md §4, §9): the hypotheses
    of [CubicCase.case_right] discharged from [check W C = true] ([Accepted.accepted]), and the lower
    bound of [CasesSound.cases_lower] for the certificate's own cases.

    With s = 1/√d_head, tok[q, t] = exp(EQKE[q, t]·s) and pos[q, p] = exp(EQKP[q, p]·s) the model's
    factors of exp(score) ([ModelMatrices.wexp_factor]):
    - [tok_encl_acc], [pos_encl_acc]: the claimed intervals enclose them ([Accepted.tok_sound], [pos_sound]);
    - [order_sorted_acc]: order[q] is a permutation of 0..n−2 along which pos[q, ·] does not decrease: it
      is sorted by the exact mantissa of EQKP[q, p] (one exponent for the matrix), and exp is monotone
      ([Placement.order_by_key]);
    - [F_right_acc]: Σ_p U[q, m, t_p]·tok·pos < 0 makes the input right: for every j ≠ m the logit
      difference has the sign of Σ_p w_p·N_{p,j} ([ModelMatrices.logit_lt_weighted]), and
      N_{p,j} ≤ U[q, m, t_p] ([UBound.N_le_U]) with w_p > 0;
    - [case_pos_acc]: every accepted case with c ≥ 1 covers only right inputs;
    - [cases_lower_acc]: covered + |residual| ≤ correct_count, given the input rule (an input proven
      right is right, §8) as a Section hypothesis. *)
From Coq Require Import ZArith Reals Lra Lia List Permutation Sorted.
From MechProof Require Import Int Dval RealSums BoxBound Placement Table Arith Model Cert Matrices Inputs Cubic
  Check Statement Counting ModelMatrices MatrixLemmas MatricesSound EnclosureSound Accepted UBound CubicCase
  CasesSound RuleSound.
Import ListNotations.
Local Open Scope R_scope.

Module CubicSound (I : INT) (Import K : CHECK I).
  (** One instance of [Accepted] (its record [accepted] is a type per instance): RuleSound's. *)
  Module RS := RuleSound I K.
  Import RS.WS.AC.
  Module CC := CubicCase I K.
  Module CS := CasesSound I K.
  Module UB := UBound I K.

  Section Acc.
  Variables (W : weights) (C : cert) (r : ival) (cr : cases_result I.t) (nres : Z) (nwrong : option Z).
  Hypothesis A : accepted W C r cr nres nwrong.

  Local Notation V := (d_vocab (cfg W)).
  Local Notation n := (n_ctx (cfg W)).
  Local Notation dh := (d_head (cfg W)).
  Local Notation X := (acc_X W C r).
  Local Notation D := (acc_D W).

  Let Hc : config_ok (cfg W) = true := ac_config_ok _ _ _ _ _ _ A.
  Let Hs : shapes_ok W = true := ac_shapes _ _ _ _ _ _ A.

  Definition tokR (q t : Z) : R := exp (ModelMatrices.EQKE W (Z.to_nat q) (Z.to_nat t) / sqrt (INR dh)).
  Definition posR (q p : Z) : R := exp (ModelMatrices.EQKP W (Z.to_nat q) (Z.to_nat p) / sqrt (INR dh)).

  Lemma tok_encl_acc (q t : Z) : (0 <= q < Z.of_nat V)%Z -> (0 <= t < Z.of_nat V)%Z ->
    0 <= val (fst (tok_of X q t)) <= tokR q t /\ tokR q t <= val (snd (tok_of X q t)).
  Proof.
    intros Hq Ht. pose proof (tok_sound W C r cr nres nwrong A (Z.to_nat q) (Z.to_nat t) ltac:(lia) ltac:(lia)) as H.
    cbv zeta in H. rewrite !Z2Nat.id in H by lia. unfold tokR. lra.
  Qed.

  Lemma pos_encl_acc (q p : Z) : (0 <= q < Z.of_nat V)%Z -> (0 <= p < Z.of_nat n)%Z ->
    0 <= val (fst (pos_of X q p)) <= posR q p /\ posR q p <= val (snd (pos_of X q p)).
  Proof.
    intros Hq Hp. pose proof (pos_sound W C r cr nres nwrong A (Z.to_nat q) (Z.to_nat p) ltac:(lia) ltac:(lia)) as H.
    cbv zeta in H. rewrite !Z2Nat.id in H by lia. unfold posR. lra.
  Qed.

  Lemma sqrt_dh_pos : 0 < sqrt (INR dh).
  Proof. pose proof (dims W Hc). apply sqrt_lt_R0, lt_0_INR. lia. Qed.

  Lemma order_sorted_acc (q : Z) : (0 <= q < Z.of_nat V)%Z ->
    Permutation (zseq (Z.of_nat n - 1)) (get (cx_order X) q []) /\
    Sorted (fun p r => posR q p <= posR q r) (get (cx_order X) q []).
  Proof.
    intros Hq. destruct (den_eqkp W Hc Hs) as (Hlen & _ & Hval).
    set (rows_ := Matrices.rows (eqkp (exact_matrices W))) in *.
    set (row := nth (Z.to_nat q) rows_ []).
    assert (Eo : get (cx_order X) q [] = order_row (Z.of_nat n) row).
    { unfold acc_X, mk_ctx. cbn [cx_order]. rewrite get_of_list by lia. unfold acc_D, acc_M, derive. cbn [order].
      fold rows_. rewrite (nth_indep _ [] (order_row (Z.of_nat n) [])) by (rewrite map_length; fold rows_; lia).
      apply (map_nth (order_row (Z.of_nat n)) rows_ [] (Z.to_nat q)). }
    rewrite Eo. unfold order_row.
    set (ps := zseq (Z.of_nat n - 1)).
    set (e := mexp (eqkp (exact_matrices W))).
    set (v := fun p : Z => exp (dval (I.to_Z (at_ row p)) e / sqrt (INR dh))).
    destruct (order_by_key PosKey.leb (fun p => at_ row p) v ps _
                (PosSort.Permuted_sort _) (PosSort.Sorted_sort _)) as [Hperm Hsort].
    { intros p p' Hle. unfold PosKey.leb in Hle. simpl in Hle. rewrite I.spec_compare in Hle.
      apply exp_dval_div_mono; [|exact sqrt_dh_pos].
      destruct (Z.compare_spec (I.to_Z (at_ row p)) (I.to_Z (at_ row p'))); try lia; discriminate. }
    split; [exact Hperm|].
    assert (Hin : forall p, In p ps -> (0 <= p < Z.of_nat n - 1)%Z).
    { intros p Hp. unfold ps, zseq in Hp. rewrite (CS.CV.zseq_from_seq 0 _) in Hp.
      apply in_map_iff in Hp as (k & <- & Hk). apply in_seq in Hk. lia. }
    rewrite <- (map_id (map snd _)).
    apply (Sorted_map_in (fun p r => v p <= v r) _ (fun p : Z => p) (fun p => (0 <= p < Z.of_nat n - 1)%Z)); [| |exact Hsort].
    - intros p p' Hp Hp' Hle. unfold posR, v in *.
      pose proof (dims W Hc).
      rewrite <- (Hval (Z.to_nat q) (Z.to_nat p)), <- (Hval (Z.to_nat q) (Z.to_nat p')) by lia.
      exact Hle.
    - apply Forall_forall. intros p Hp. apply Hin. exact (Permutation_in _ (Permutation_sym Hperm) Hp).
  Qed.

  Lemma token_lt (x p : nat) : (token W x p < V)%nat.
  Proof. pose proof (dims W Hc). unfold token. apply Nat.mod_upper_bound. lia. Qed.

  Lemma max_token_lt (x : nat) : (max_token W x < V)%nat.
  Proof.
    pose proof (dims W Hc). unfold max_token.
    induction (seq 0 n) as [|p l IH]; simpl; [lia|]. pose proof (token_lt x p). lia.
  Qed.

  (** N_{p,j} of the model is the dyadic [N_of] of the checker's derived rows. *)
  Lemma Ncoef_dval (x m j p : nat) : (m < V)%nat -> (j < V)%nat -> (p < n)%nat ->
    Ncoef W x m j p =
    dval (UB.N_of D (Z.of_nat (token W x (n - 1))) (Z.of_nat m) (Z.of_nat (token W x p)) (Z.of_nat p) (Z.of_nat j))
         (d_e D).
  Proof.
    intros Hm Hj Hp. pose proof (dims W Hc).
    destruct (den_eupu_rows W Hc Hs) as (_ & _ & HA).
    destruct (den_evou_rows W Hc Hs) as (_ & _ & HB).
    destruct (den_pvou_rows W Hc Hs) as (_ & _ & HP).
    unfold Ncoef, UB.N_of, UB.row_at, at_. rewrite !Nat2Z.id.
    unfold acc_D, acc_M in *.
    rewrite <- (HA (token W x (n - 1)) j), <- (HA (token W x (n - 1)) m), <- (HB (token W x p) j),
      <- (HB (token W x p) m), <- (HP p j), <- (HP p m) by (try apply token_lt; lia).
    unfold dval. rewrite !plus_IZR, !minus_IZR. ring.
  Qed.

  Lemma F_right_acc (x : nat) : (x < V ^ n)%nat ->
    let q := Z.of_nat (token W x (n - 1)) in
    let m := Z.of_nat (max_token W x) in
    rsum (fun p => CC.PF.DS.val (U X q m (Z.of_nat (token W x p))) *
                   (tokR q (Z.of_nat (token W x p)) * posR q (Z.of_nat p))) (seq 0 n) < 0 ->
    right W x.
  Proof.
    intros Hx q m HF j Hj Hjm. pose proof (dims W Hc) as Hd.
    apply (proj2 (logit_lt_weighted W x (max_token W x) j ltac:(lia))).
    eapply Rle_lt_trans; [|exact HF]. apply rsum_le. intros p Hp. apply in_seq in Hp.
    rewrite wexp_factor. unfold tokR, posR, q, m. rewrite !Nat2Z.id.
    set (w := exp (EQKE W (token W x (n - 1)) (token W x p) / sqrt (INR dh)) *
              exp (EQKP W (token W x (n - 1)) p / sqrt (INR dh))).
    assert (Hw : 0 < w) by (apply Rmult_lt_0_compat; apply exp_pos).
    rewrite (Rmult_comm (CC.PF.DS.val _)). apply Rmult_le_compat_l; [lra|].
    pose proof (max_token_lt x) as Hm. pose proof (token_lt x p) as Ht. pose proof (token_lt x (n - 1)) as Hq.
    rewrite Ncoef_dval by lia.
    destruct (den_eupu_rows W Hc Hs) as (HAl & HAr & _).
    destruct (den_evou_rows W Hc Hs) as (HBl & HBr & _).
    destruct (den_pvou_rows W Hc Hs) as (HPl & HPr & _).
    pose proof (UB.N_le_U (acc_M W) (Z.of_nat V) (Z.of_nat n)
                  (enclose_mat r (eqke (acc_M W))) (enclose_mat r (eqkp (acc_M W)))
                  (Z.of_nat (token W x (n - 1))) (Z.of_nat (max_token W x)) (Z.of_nat (token W x p))
                  (Z.of_nat p) (Z.of_nat j)) as HN.
    cbv zeta in HN. rewrite !Nat2Z.id in HN.
    specialize (HN (conj HAl HAr) (conj HBl HBr) (conj HPl HPr) ltac:(lia) ltac:(lia) ltac:(lia) ltac:(lia)
                   ltac:(lia) ltac:(lia)).
    unfold CC.PF.DS.val, dyR, U. cbn [fst snd]. unfold acc_X, mk_ctx. cbn [cx_rule cx_e].
    unfold dval. apply Rmult_le_compat_r; [left; apply powerRZ_2_pos|]. apply IZR_le. exact HN.
  Qed.

  (** Every accepted case with c ≥ 1 covers only right inputs. *)
  Theorem case_pos_acc (e : case_entry) (x : nat) :
    case_wf (Z.of_nat V) (Z.of_nat n) e = true -> case_ok X (Z.of_nat n) e = true -> ce_c e <> 0%Z ->
    (x < V ^ n)%nat ->
    in_case (Z.to_nat (ce_q e)) (Z.to_nat (ce_m e)) (Z.to_nat (ce_c e)) (CC.CV.Gof X e) (tokens V n x) = true ->
    right W x.
  Proof.
    apply (CC.case_right W X tokR posR tok_encl_acc pos_encl_acc order_sorted_acc F_right_acc).
  Qed.

  (** ** The lower bound, given the residual list's facts *)

  (** The input rule (docs §8): an input that [proven_right] accepts is right ([RuleSound]). *)
  Lemma rule_right (x : nat) : (x < V ^ n)%nat ->
    proven_right (acc_R W r) (map Z.of_nat (tokens V n x)) = true -> right W x.
  Proof. intros _. exact (RS.proven_right_sound W C r cr nres nwrong A x). Qed.

  (** covered + |residual| ≤ correct_count, for a residual list of inputs proven right that the cases do
      not cover (docs §9). *)
  Theorem cases_lower_acc (res : list nat) :
    NoDup res ->
    (forall x, In x res -> (x < V ^ n)%nat /\
       proven_right (acc_R W r) (map Z.of_nat (tokens V n x)) = true /\
       covers (Z.of_nat V) (Z.of_nat n) (case_tab cr) (key_tab cr) (map Z.of_nat (tokens V n x)) = false) ->
    (I.to_Z (covered cr) + Z.of_nat (length res) <= Z.of_nat (correct_count W))%Z.
  Proof.
    intros Hnd Hres. pose proof (dims W Hc) as Hd.
    apply (CS.cases_lower W X (cases C) cr ltac:(lia) (ac_cases _ _ _ _ _ _ A) eq_refl).
    - intros e x _ Hw Hok Hc0 Hx Hin. exact (case_pos_acc e x Hw Hok Hc0 Hx Hin).
    - exact rule_right.
    - exact Hnd.
    - intros x Hx. destruct (Hres x Hx) as (HxV & Hpr & Hcov). split; [exact HxV|]. split; [exact (rule_right x HxV Hpr) | exact Hcov].
  Qed.

  (** [bound_ok]: correct = covered + |residual|. *)
  Lemma bound_correct : cert_correct C = (I.to_Z (covered cr) + nres)%Z.
  Proof.
    pose proof (ac_bound _ _ _ _ _ _ A) as H. unfold bound_ok in H.
    rewrite !Bool.andb_true_iff in H. destruct H as [[_ H] _].
    rewrite I.spec_eqb, Z.eqb_eq, I.spec_of_Z, I.spec_add, I.spec_of_Z in H. exact H.
  Qed.

  (** The lower bound of docs §3 for a cubic certificate, given the residual list's facts. *)
  Theorem lower_acc (res : list nat) :
    NoDup res -> nres = Z.of_nat (length res) ->
    (forall x, In x res -> (x < V ^ n)%nat /\
       proven_right (acc_R W r) (map Z.of_nat (tokens V n x)) = true /\
       covers (Z.of_nat V) (Z.of_nat n) (case_tab cr) (key_tab cr) (map Z.of_nat (tokens V n x)) = false) ->
    (cert_correct C <= Z.of_nat (correct_count W))%Z.
  Proof. intros Hnd Hn Hres. rewrite bound_correct, Hn. now apply cases_lower_acc. Qed.

  End Acc.
End CubicSound.
