(** The upper bound of a certificate is sound (docs/certificate.md §9, §3): when the checker accepts C
    and C states [bound.upper = u], at most u inputs are right. The checked [wrong] list is strictly
    increasing within [0, V^n) and none of its inputs is right (ListsSound.v), so at most
    V^n − |wrong| inputs are right (Counting.wrong_upper_bound), and [bound_ok] checked
    u = V^n − |wrong|. This holds for every certificate the checker accepts, whatever its strategy. *)
From Coq Require Import ZArith Lia List Sorted.
From MechProof Require Import Int Arith Model Cert Matrices Inputs Cubic Check Statement Counting NatCounts
  MatrixLemmas Accepted ListsSound.
Import ListNotations.

Module UpperSound (I : INT) (Import K : CHECK I).
Module Export LS := ListsSound I K.
Local Open Scope Z_scope.

(** A duplicate-free list of naturals below N has at most N entries. *)
Lemma nodup_below_length (N : nat) (l : list nat) :
  NoDup l -> (forall x, In x l -> (x < N)%nat) -> (length l <= N)%nat.
Proof.
  intros Hnd Hlt. rewrite <- (count_members N l Hnd Hlt).
  rewrite <- (seq_length N 0) at 2. generalize (seq 0 N). intros s.
  induction s as [|a s IH]; simpl; [lia|]. destruct (existsb _ l); simpl; lia.
Qed.

Theorem upper : sound_upper K.check.
Proof.
  intros W C u Hchk Hu.
  destruct (check_accepted W C Hchk) as (r & cr & nres & nwrong & A).
  pose proof (ac_bound _ _ _ _ _ _ A) as Hb. pose proof (ac_inputs _ _ _ _ _ _ A) as Hin.
  unfold cert_upper in Hu. unfold bound_ok in Hb. rewrite Hu in Hb.
  destruct nwrong as [w|]; [|rewrite Bool.andb_false_r in Hb; discriminate].
  apply Bool.andb_true_iff in Hb as [_ Hb]. rewrite I.spec_eqb, I.spec_sub, !I.spec_of_Z in Hb.
  apply Z.eqb_eq in Hb.
  unfold check_input_claims in Hin.
  destruct (indices (acc_total W) _) as [rx|]; [|discriminate].
  destruct (residual_ok _ _ _ rx); [|discriminate].
  destruct (wrong C) as [wc|]; [|discriminate].
  destruct (indices (acc_total W) (wr_inputs wc)) as [wx|] eqn:Ewx; [|discriminate].
  destruct (wrong_ok _ _ _ rx wx (wr_witness wc)) eqn:Eok; [|discriminate].
  injection Hin as _ <-.
  destruct (indices_spec _ _ _ Ewx) as (_ & Hrange & Hsorted).
  assert (Hpos : Forall (fun x => 0 <= I.to_Z x) wx) by (eapply Forall_impl; [|exact Hrange]; intros x Hx; cbv beta in *; lia).
  pose proof (wrong_ok_sound W C r cr nres (Some (lenZ wx)) A _ rx wx (wr_witness wc) Hpos Eok) as Hwrong.
  set (L := map to_nat wx).
  assert (Hnd : NoDup L) by (apply sorted_lt_NoDup, sorted_to_nat; assumption).
  assert (HL : forall y, In y L -> (y < d_vocab (cfg W) ^ n_ctx (cfg W))%nat /\ right_b W y = false).
  { intros y Hy. unfold L in Hy. apply in_map_iff in Hy as (x & <- & Hx). split.
    - rewrite Forall_forall in Hrange. specialize (Hrange x Hx). rewrite acc_total_spec in Hrange.
      unfold to_nat. lia.
    - apply Bool.not_true_iff_false. rewrite right_b_spec. apply Hwrong, Hx. }
  pose proof (wrong_upper_bound _ (right_b W) L Hnd HL) as Hub.
  pose proof (nodup_below_length _ L Hnd (fun y Hy => proj1 (HL y Hy))) as Hlen.
  unfold correct_count. rewrite acc_total_spec in Hb. rewrite lenZ_length in Hb.
  unfold L in Hub, Hlen. rewrite map_length in Hub, Hlen. lia.
Qed.

End UpperSound.
