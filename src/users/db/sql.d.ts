// Migration files are imported `with { type: "text" }`: their default export is the SQL.
declare module "*.sql" {
  const sql: string;
  export default sql;
}
