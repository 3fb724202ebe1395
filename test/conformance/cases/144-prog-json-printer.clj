(require '[clojure.string :as str])
(defn to-json [v]
  (cond
    (nil? v) "null"
    (string? v) (str "\"" v "\"")
    (keyword? v) (to-json (name v))
    (number? v) (str v)
    (boolean? v) (str v)
    (map? v) (str "{" (str/join "," (map (fn [[k val]] (str (to-json k) ":" (to-json val))) v)) "}")
    (coll? v) (str "[" (str/join "," (map to-json v)) "]")))
(println (to-json {:name "grove" :version 1 :tags ["a" "b"] :extra nil :ok true}))
(println (to-json [1 2.5 [3 [4]] {}]))
(println (to-json {:nested {:deep {:deeper [false]}}}))
