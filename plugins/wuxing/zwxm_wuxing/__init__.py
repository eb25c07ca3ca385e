"""The Wuxing (吴兴) district plugin: 吴兴区信息化项目管理办法 (吴政办发〔2023〕43号)."""
