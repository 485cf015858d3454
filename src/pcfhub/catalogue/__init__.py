"""The classification catalogue (分类管理名录) and product-category accounting rules."""
