"""Mutation testing of the reference IAM (issue 14): how much of the reference's behaviour the suite pins down."""
