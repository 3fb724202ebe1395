(def x 1)(def x 2)(defn ^:private x [])(ns ^{:doc "d"} a.b)(def)(def :k 1)
