(** Checking a certificate against the weights (docs/certificate.md §3): [Check.check W C] is [true]
    exactly when every claim of [C] holds for [W].

    Mirrors [check] in [python/mechproof/checker/__init__.py] and [lean/MechProof/Check.lean], for the
    strategies [cubic] and [cubic+residual] in format version 2. It does not compare [model.sha256]
    with the weights' payload hash (Coq has no SHA-256; see [Cert.v]). It checks everything the
    soundness argument relies on, including what the Python loaders check while parsing (the config's
    ranges, the tensors' lengths, [bound.upper] present exactly when [wrong] is), so that any
    ill-shaped data makes [check] false. It does not check the magnitude limits of §10 (exponent
    ranges, mantissa sizes), which bound the work on hostile files but no soundness argument, except
    the exp argument limit of §6 step 0, without which [exp_bounds] is not defined. *)
From Coq Require Import ZArith List.
From MechProof Require Import Int Table Arith Exp Model Cert Matrices Inputs Cubic.
Import ListNotations.
Local Open Scope Z_scope.
Local Open Scope bool_scope.

(** The config's ranges, as the loaders require them: 2 ≤ V ≤ 4096, 2 ≤ n ≤ 64,
    1 ≤ d_model ≤ 1024, 1 ≤ d_head ≤ 1024. *)
Definition config_ok (c : config) : bool :=
  Nat.leb 2 (d_vocab c) && Nat.leb (d_vocab c) 4096 && Nat.leb 2 (n_ctx c) && Nat.leb (n_ctx c) 64 &&
  Nat.leb 1 (d_model c) && Nat.leb (d_model c) 1024 && Nat.leb 1 (d_head c) && Nat.leb (d_head c) 1024.

Definition config_eqb (a b : config) : bool :=
  Nat.eqb (d_vocab a) (d_vocab b) && Nat.eqb (n_ctx a) (n_ctx b) &&
  Nat.eqb (d_model a) (d_model b) && Nat.eqb (d_head a) (d_head b).

(** A tensor of [r × c] entries. *)
Definition tensor_ok (t : tensor) (r c : nat) : bool := lenZ (mantissas t) =? Z.of_nat r * Z.of_nat c.

(** Every tensor has the shape the config implies (docs §1). *)
Definition shapes_ok (W : weights) : bool :=
  let c := cfg W in
  let V := d_vocab c in let n := n_ctx c in let dm := d_model c in let dh := d_head c in
  tensor_ok (W_E W) V dm && tensor_ok (W_pos W) n dm && tensor_ok (W_Q W) dm dh && tensor_ok (W_K W) dm dh &&
  tensor_ok (W_V W) dm dh && tensor_ok (W_O W) dh dm && tensor_ok (W_U W) dm V.

(** [cubic], or [cubic+residual] with its required [residual] claim; [subcubic] is not checked here. *)
Definition strategy_ok (C : cert) : bool :=
  match strategy_name C, residual C with
  | Cubic, _ => true
  | CubicResidual, Some _ => true
  | _, _ => false
  end.

Definition is_eqke (m : matrix_name) : bool := match m with EQKE => true | EQKP => false end.
Definition is_eqkp (m : matrix_name) : bool := match m with EQKP => true | EQKE => false end.

Module Check (I : INT).
  Module Export Cu := Cubic I.

  (** [bound] (§3, §9): total = V^n, correct = covered + |residual|, and upper = total − |wrong|
      present exactly when [wrong] is. *)
  Definition bound_ok (b : bound) (total covered : I.t) (nres : Z) (nwrong : option Z) : bool :=
    I.eqb (I.of_Z (Cert.total b)) total && I.eqb (I.of_Z (correct b)) (I.add covered (I.of_Z nres)) &&
    match upper b, nwrong with
    | Some u, Some w => I.eqb (I.of_Z u) (I.sub total (I.of_Z w))
    | None, None => true
    | _, _ => false
    end.

  (** The claims of a cubic certificate (§4) and the input claims (§9), then the bound (§3). *)
  Definition check_claims (W : weights) (C : cert) : bool :=
    let c := cfg W in
    let V := Z.of_nat (d_vocab c) in
    let n := Z.of_nat (n_ctx c) in
    match check_inv_sqrt (inv_sqrt_d_head C) (Z.of_nat (d_head c)) with
    | None => false
    | Some r =>
      if is_eqke (ec_of (exp_eqke C)) && is_eqkp (ec_of (exp_eqkp C)) &&
         enclosure_shape (exp_eqke C) V V && enclosure_shape (exp_eqkp C) V n then
        let M := exact_matrices W in
        let own_eqke := enclose_mat r (eqke M) in
        let own_eqkp := enclose_mat r (eqkp M) in
        if enclosure_ok (exp_eqke C) own_eqke && enclosure_ok (exp_eqkp C) own_eqkp then
          let D := derive M V n in
          let R := mk_rule V n D own_eqke own_eqkp in
          let X := mk_ctx R D n (claimed (exp_eqke C)) (claimed (exp_eqkp C)) in
          match check_cases X V n (cases C) with
          | None => false
          | Some cr =>
            let total := ipow (I.of_Z V) (n_ctx c) in
            match check_input_claims R (covers V n (case_tab cr) (key_tab cr)) (n_ctx c) total (residual C) (wrong C) with
            | None => false
            | Some (nres, nwrong) => bound_ok (cert_bound C) total (covered cr) nres nwrong
            end
          end
        else false
      else false
    end.

  (** Every claim of [C] holds for the weights [W]. *)
  Definition check (W : weights) (C : cert) : bool :=
    if (version C =? 2) && config_eqb (cert_config C) (cfg W) && config_ok (cfg W) && shapes_ok W &&
       strategy_ok C
    then check_claims W C
    else false.
End Check.

(** The two instances: [CheckZ] over [Z] (what the soundness theorem is about, free of axioms) and
    [CheckB] over Bignums' [BigZ] (what [vm_compute] runs on the committed certificates). *)
Module CheckZ := Check ZInt.
Module CheckB := Check BigInt.
