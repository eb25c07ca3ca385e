"""坡头区 (Potou): 区级政务信息化服务项目管理办法（试行，征求意见稿） as a zwxm district plugin."""
