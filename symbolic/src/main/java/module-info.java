/**
 * Symbolic shapes for dvm4j's static fuser: canonical symbolic integers, facts about symbols, a
 * three-valued prover and the meta-ops' shape rules. No dependencies.
 */
module dev.dvm.symbolic {
    exports dev.dvm.symbolic;
}
