(** The model: the real-number function of the weights (docs/certificate.md §1), and what it means for
    the model to answer an input right (§1, §8). This file is the statement's foundation; everything in
    it can be compared with docs §1 line by line.

    - A weights file holds the config and seven tensors; each tensor is one power-of-two exponent and
      its mantissas, row-major, exactly as in the JSON. The single head axis of W_Q, W_K, W_V, W_O is
      dropped: W_E is V × d_model, W_pos n × d_model, W_Q, W_K, W_V d_model × d_head, W_O
      d_head × d_model, W_U d_model × V.
    - Entry (i, j) of a tensor with [cols] columns is [dval (nth (i·cols + j) mantissas 0) exponent]
      (a mantissa missing from a too-short list reads as 0; the checker rejects such files).
    - x_p = W_E[t_p] + W_pos[p];
      score_p = (x_{n−1} W_Q)·(x_p W_K) / √d_head;
      a_p = exp(score_p) / Σ_r exp(score_r) (the real exponential and square root of Coq's [Reals]);
      logits ℓ = (x_{n−1} + Σ_p a_p · x_p W_V W_O) W_U.
    - The inputs are the token sequences of length n over 0..V−1, named by x = Σ_p t_p·V^p (position 0
      is the least significant digit, docs §8), x in [0, V^n).
    - An input is right when ℓ_m > ℓ_j for every j ≠ m, m its max token (a tie is wrong).
    - [correct_count W] is the number of right inputs. *)
From Coq Require Import ZArith Reals List.
From MechProof Require Import Dval.
Import ListNotations.
Local Open Scope R_scope.
Local Open Scope bool_scope.

Record config := { d_vocab : nat; n_ctx : nat; d_model : nat; d_head : nat }.

Record tensor := { exponent : Z; mantissas : list Z }.

Record weights := {
  cfg : config;
  W_E : tensor; W_pos : tensor; W_Q : tensor; W_K : tensor; W_V : tensor; W_O : tensor; W_U : tensor }.

(** Entry (i, j) of a tensor with [cols] columns. *)
Definition entry (t : tensor) (cols i j : nat) : R :=
  dval (nth (i * cols + j) (mantissas t) 0%Z) (exponent t).

(** Σ_{i < k} f(i). *)
Fixpoint sum (k : nat) (f : nat -> R) : R :=
  match k with O => 0 | S k' => sum k' f + f k' end.

Section Model.
Variable W : weights.

Local Notation V := (d_vocab (cfg W)).
Local Notation n := (n_ctx (cfg W)).
Local Notation dm := (d_model (cfg W)).
Local Notation dh := (d_head (cfg W)).

(** Token t_p of input x: its p-th base-V digit. *)
Definition token (x p : nat) : nat := (x / V ^ p) mod V.

(** The max token m of input x. *)
Definition max_token (x : nat) : nat := fold_right Nat.max 0%nat (map (token x) (seq 0 n)).

(** x_p[i] = W_E[t_p, i] + W_pos[p, i] *)
Definition resid (x p i : nat) : R := entry (W_E W) dm (token x p) i + entry (W_pos W) dm p i.

(** (x_{n−1} W_Q)[h] and (x_p W_K)[h] *)
Definition query (x h : nat) : R := sum dm (fun i => resid x (n - 1) i * entry (W_Q W) dh i h).
Definition key (x p h : nat) : R := sum dm (fun i => resid x p i * entry (W_K W) dh i h).

(** score_p = (x_{n−1} W_Q)·(x_p W_K) / √d_head *)
Definition score (x p : nat) : R := sum dh (fun h => query x h * key x p h) / sqrt (INR dh).

(** a_p = exp(score_p) / Σ_r exp(score_r) *)
Definition attention (x p : nat) : R := exp (score x p) / sum n (fun r => exp (score x r)).

(** (x_p W_V W_O)[i] *)
Definition value (x p h : nat) : R := sum dm (fun i => resid x p i * entry (W_V W) dh i h).
Definition head_out (x p i : nat) : R := sum dh (fun h => value x p h * entry (W_O W) dm h i).

(** The stream read at the last position: x_{n−1} + Σ_p a_p · x_p W_V W_O *)
Definition stream (x i : nat) : R := resid x (n - 1) i + sum n (fun p => attention x p * head_out x p i).

(** ℓ_j = (stream · W_U)[j] *)
Definition logit (x j : nat) : R := sum dm (fun i => stream x i * entry (W_U W) V i j).

(** The model answers input x right: ℓ_m > ℓ_j for every j ≠ m (a tie is wrong). *)
Definition right (x : nat) : Prop :=
  forall j, (j < V)%nat -> j <> max_token x -> logit x j < logit x (max_token x).

(** Its indicator, through the decidability of [<] on the reals. *)
Definition right_b (x : nat) : bool :=
  forallb (fun j => Nat.eqb j (max_token x) || (if Rlt_dec (logit x j) (logit x (max_token x)) then true else false))
    (seq 0 V).

(** The number of inputs x in [0, V^n) that the model answers right. *)
Definition correct_count : nat := length (filter right_b (seq 0 (V ^ n))).

End Model.

Lemma right_b_spec (W : weights) (x : nat) : right_b W x = true <-> right W x.
Proof.
  unfold right_b, right. rewrite forallb_forall. split.
  - intros H j Hj Hne. specialize (H j (proj2 (in_seq _ _ _) (conj (PeanoNat.Nat.le_0_l j) Hj))).
    apply Bool.orb_true_iff in H as [H|H].
    + apply PeanoNat.Nat.eqb_eq in H. contradiction.
    + destruct (Rlt_dec _ _); [assumption|discriminate].
  - intros H j Hin. apply in_seq in Hin as [_ Hj].
    destruct (PeanoNat.Nat.eq_dec j (max_token W x)) as [E|E].
    + now rewrite (proj2 (PeanoNat.Nat.eqb_eq _ _) E).
    + apply Bool.orb_true_iff. right. destruct (Rlt_dec _ _) as [|N]; [reflexivity|].
      exfalso. apply N, H; assumption.
Qed.
