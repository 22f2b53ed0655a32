// docs-ui.ts imports Scalar's script `with { type: "file" }`: its default export is the file's path.
declare module "*/standalone.js" {
  const path: string;
  export default path;
}
