def post_init_hook(env):
    """Plans and metrics made before billing was installed get their products."""
    env["woow.paas.plan"].with_context(active_test=False).search(
        [("product_id", "=", False)]
    )._paas_create_products()
    env["woow.paas.metric"].with_context(active_test=False).search(
        [("product_id", "=", False)]
    )._paas_create_products()
