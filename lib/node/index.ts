// The Node-only entry of rxlog: "rxlog/node".
export {};
