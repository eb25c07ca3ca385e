"""Luohu (罗湖) district plugin for zwxm: 罗府办规〔2020〕8号《深圳市罗湖区信息化项目管理办法》."""
